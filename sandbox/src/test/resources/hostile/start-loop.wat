;; The start function never returns: instantiation itself must be interrupted.
(module
  (func $start (loop $forever (br $forever)))
  (start $start)
  (func (export "tick")))
