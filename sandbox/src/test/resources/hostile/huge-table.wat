;; A table of ten million elements.
(module
  (table 10000000 funcref)
  (func (export "tick")))
