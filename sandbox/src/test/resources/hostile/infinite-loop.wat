;; tick never returns: the wall-clock limit must interrupt it.
(module
  (func (export "tick")
    (loop $forever (br $forever))))
