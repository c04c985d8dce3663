;; Imports a function from a host module the device does not offer.
(module
  (import "env" "system" (func $system (param i32) (result i32)))
  (func (export "tick")))
