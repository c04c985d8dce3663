;; An app with an extra export "secret" and a helper "add".
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "secret") (result i32) (i32.const 42))
  (func (export "tick")))
