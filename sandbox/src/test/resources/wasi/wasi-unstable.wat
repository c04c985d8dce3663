;; Imports fd_write from the pre-snapshot WASI module, which this device does not provide.
(module
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  (func (export "tick")))
