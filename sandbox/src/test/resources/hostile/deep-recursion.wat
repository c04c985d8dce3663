;; recurse(n) recurses n levels; tick recurses without end.
(module
  (func $down (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get $n) (i32.const 1)))))))
  (func $forever (call $forever))
  (func (export "recurse") (param $n i32) (result i32) (call $down (local.get $n)))
  (func (export "tick") (call $forever)))
