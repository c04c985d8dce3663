;; Calls the harmless WASI functions directly: stdio, args, environ, clock, random, proc_exit.
;; Scratch memory: 0..8 one iovec, 8 bytes written, 100/104 sizes, 200 clock, 208 random,
;; 1024 pointer arrays, 2048 argv strings, 4096 environ strings.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from wasi\n")
  (data (i32.const 32) "to stderr")

  (func $write (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))

  (func (export "init")
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 16))))

  ;; An unterminated line on stderr: emitted when the call ends.
  (func (export "stderr") (result i32)
    (call $write (i32.const 2) (i32.const 32) (i32.const 9)))

  ;; fd 3 exists only when a file system is granted: returns the errno.
  (func (export "write_fd3") (result i32)
    (call $write (i32.const 3) (i32.const 16) (i32.const 16)))

  ;; Logs argv[0] and the environment block (one entry expected); returns the entry count.
  (func (export "args_env") (result i32)
    (drop (call $args_sizes_get (i32.const 100) (i32.const 104)))
    (drop (call $args_get (i32.const 1024) (i32.const 2048)))
    (drop (call $write (i32.const 1) (i32.const 2048)
      (i32.sub (i32.load (i32.const 104)) (i32.const 1))))
    (drop (call $environ_sizes_get (i32.const 100) (i32.const 104)))
    (drop (call $environ_get (i32.const 1024) (i32.const 4096)))
    (drop (call $write (i32.const 1) (i32.const 4096)
      (i32.sub (i32.load (i32.const 104)) (i32.const 1))))
    (i32.load (i32.const 100)))

  ;; Realtime clock in nanoseconds.
  (func (export "now") (result i64)
    (drop (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 200)))
    (i64.load (i32.const 200)))

  (func (export "random") (result i64)
    (drop (call $random_get (i32.const 208) (i32.const 8)))
    (i64.load (i32.const 208)))

  ;; A 2 GiB range from inside a 64 KiB memory: must trap before the host allocates it.
  (func (export "random_oob") (result i32)
    (call $random_get (i32.const 64) (i32.const 0x7fffffff)))

  ;; An iovec whose buffer runs past the end of memory.
  (func (export "write_oob") (result i32)
    (call $write (i32.const 1) (i32.const 65000) (i32.const 0x7fffffff)))

  (func (export "quit") (param i32)
    (call $proc_exit (local.get 0)))

  (func (export "tick")))
