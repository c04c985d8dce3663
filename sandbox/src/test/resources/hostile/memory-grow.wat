;; grow() calls memory.grow 1 until it fails and returns the final page count; the
;; sandbox's memory limit must make memory.grow return -1 inside the module.
(module
  (memory 1)
  (func (export "grow") (result i32)
    (block $done
      (loop $again
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $again)))
    (memory.size)))
