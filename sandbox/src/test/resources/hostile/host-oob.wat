;; Passes the host a string that runs past the end of linear memory.
(module
  (import "wasmbed" "log" (func $log (param i32 i32)))
  (memory 1)
  (func (export "tick") (call $log (i32.const 65500) (i32.const 100))))
