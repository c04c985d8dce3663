;; Well-formed, but every tick spins forever: the sandbox must stop it on its wall-clock limit.
(module
  (func (export "init"))
  (func (export "tick")
    (loop $forever
      (br $forever))))
