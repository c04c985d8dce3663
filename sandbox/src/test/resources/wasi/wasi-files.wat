;; Uses the WASI file system preopened as /data (descriptor 3).
;; Scratch memory: 0..8 one iovec, 8 bytes moved, 16 opened descriptor, 1024 read buffer,
;; page 1 (65536..131071) a block of data to write.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 64) "note.txt")
  (data (i32.const 80) "../../etc/passwd")
  (data (i32.const 96) "/etc/passwd")
  (data (i32.const 112) "hello, file")
  (data (i32.const 128) "big.bin")

  ;; Opens a path relative to /data with the given oflags; errno, descriptor stored at 16.
  (func $open (param $path i32) (param $len i32) (param $oflags i32) (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len)
      (local.get $oflags) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 16)))

  (func $iovec (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len)))

  ;; Creates (or truncates) note.txt holding "hello, file"; returns the errno.
  (func (export "write_note") (result i32) (local $err i32)
    (local.set $err (call $open (i32.const 64) (i32.const 8) (i32.const 9)))
    (if (local.get $err) (then (return (local.get $err))))
    (call $iovec (i32.const 112) (i32.const 11))
    (local.set $err
      (call $fd_write (i32.load (i32.const 16)) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $fd_close (i32.load (i32.const 16))))
    (local.get $err))

  ;; Reads note.txt and writes its contents to stdout; returns the errno.
  (func (export "read_note") (result i32) (local $err i32)
    (local.set $err (call $open (i32.const 64) (i32.const 8) (i32.const 0)))
    (if (local.get $err) (then (return (local.get $err))))
    (call $iovec (i32.const 1024) (i32.const 256))
    (local.set $err
      (call $fd_read (i32.load (i32.const 16)) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $fd_close (i32.load (i32.const 16))))
    (if (local.get $err) (then (return (local.get $err))))
    (call $iovec (i32.const 1024) (i32.load (i32.const 8)))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))

  (func (export "open_parent") (result i32)
    (call $open (i32.const 80) (i32.const 16) (i32.const 0)))

  (func (export "open_absolute") (result i32)
    (call $open (i32.const 96) (i32.const 11) (i32.const 0)))

  ;; Writes 64 KiB blocks to big.bin until a write fails or 64 blocks (4 MiB) are written;
  ;; returns the bytes written, or -1 if big.bin cannot be created.
  (func (export "fill") (result i32) (local $fd i32) (local $total i32) (local $i i32)
    (if (call $open (i32.const 128) (i32.const 7) (i32.const 9)) (then (return (i32.const -1))))
    (local.set $fd (i32.load (i32.const 16)))
    (call $iovec (i32.const 65536) (i32.const 65536))
    (block $done
      (loop $next
        (br_if $done (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $total (i32.add (local.get $total) (i32.load (i32.const 8))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (i32.const 64)))))
    (drop (call $fd_close (local.get $fd)))
    (local.get $total))

  (func (export "tick")))
