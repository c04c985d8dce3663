;; Imports WASI poll_oneoff, which would block a sandbox thread; never linked.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  (func (export "tick")))
