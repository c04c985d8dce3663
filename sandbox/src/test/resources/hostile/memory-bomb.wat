;; Declares 65536 initial pages (4 GiB): refused before any memory is allocated.
(module
  (memory 65536)
  (func (export "tick")))
