;; store/load an i32 at an address: two instances must not see each other's memory.
(module
  (memory 1)
  (func (export "store") (param $addr i32) (param $value i32)
    (i32.store (local.get $addr) (local.get $value)))
  (func (export "load") (param $addr i32) (result i32)
    (i32.load (local.get $addr))))
