;; tick traps with an integer division by zero.
(module
  (func (export "tick") (drop (i32.div_s (i32.const 1) (i32.const 0)))))
