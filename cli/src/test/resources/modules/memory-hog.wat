;; Declares 64 pages (4 MiB) of memory: more than the 16-page limit the tests deploy it with.
(module
  (memory 64)
  (func (export "init")))
