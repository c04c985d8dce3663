;; Test app for the device agent: logs once per tick and traps on its third tick, so the agent
;; must report AppStatus FAILED. Built with: wat2wasm trap-on-third-tick.wat
(module
  (import "wasmbed" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "tick")
  (global $ticks (mut i32) (i32.const 0))
  (func (export "init"))
  (func (export "tick")
    (global.set $ticks (i32.add (global.get $ticks) (i32.const 1)))
    (call $log (i32.const 0) (i32.const 4))
    (if (i32.ge_u (global.get $ticks) (i32.const 3))
      (then unreachable))))
