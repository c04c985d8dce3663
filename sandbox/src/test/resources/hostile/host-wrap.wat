;; Passes the host ptr 0xFFFFFFF0 and len 0x20: ptr + len wraps in 32-bit arithmetic.
(module
  (import "wasmbed" "log" (func $log (param i32 i32)))
  (memory 1)
  (func (export "tick") (call $log (i32.const 0xFFFFFFF0) (i32.const 0x20))))
