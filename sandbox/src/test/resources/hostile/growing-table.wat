;; A small table without a maximum that grows itself with table.grow.
(module
  (table 1 funcref)
  (func (export "tick")
    (drop (table.grow 0 (ref.null func) (i32.const 1000000)))))
