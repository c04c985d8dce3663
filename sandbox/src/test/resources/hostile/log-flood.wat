;; Logs a 1000-byte line a thousand times per tick.
(module
  (import "wasmbed" "log" (func $log (param i32 i32)))
  (memory 1)
  (func (export "tick") (local $i i32)
    (loop $again
      (call $log (i32.const 0) (i32.const 1000))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 1000))))))
