;; tick counts to 2^31 in a tight loop: spends any reasonable instruction budget.
(module
  (func (export "tick") (local $i i32)
    (loop $again
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.ne (local.get $i) (i32.const 0x7fffffff))))))
