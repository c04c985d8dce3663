;; Imports wasmbed.log with the wrong signature.
(module
  (import "wasmbed" "log" (func $log (param i64)))
  (func (export "tick")))
