package io.wasmbed.sandbox;

import java.util.Locale;

/**
 * The sandbox refused or ended a module; the message is the reason reported to the operator. Each
 * way of refusing has its own subclass so callers (and tests) can tell them apart.
 */
public class SandboxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SandboxException(String message) {
    super(message);
  }

  public SandboxException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The kind of refusal as a short, stable label ({@code invalid_module}, {@code trap}...), used as
   * the {@code reason} tag of the sandbox's counters.
   */
  public String kind() {
    if (getClass() == SandboxException.class) {
      return "sandbox_error";
    }
    return getClass()
        .getSimpleName()
        .replaceAll("([a-z])([A-Z])", "$1_$2")
        .toLowerCase(Locale.ROOT);
  }

  /** The module's bytes are not WebAssembly, or fail validation. */
  public static final class InvalidModule extends SandboxException {
    private static final long serialVersionUID = 1L;

    public InvalidModule(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The policy does not allow this module: not on the allowed list, digest mismatch, or an import
   * the policy does not grant.
   */
  public static final class ModuleNotAllowed extends SandboxException {
    private static final long serialVersionUID = 1L;

    public ModuleNotAllowed(String message) {
      super(message);
    }
  }

  /** No module bytes were given and the digest is not in the runtime's module cache. */
  public static final class ModuleNotFound extends SandboxException {
    private static final long serialVersionUID = 1L;

    public ModuleNotFound(String message) {
      super(message);
    }
  }

  /** No running app (instance) has this name. */
  public static final class InstanceNotFound extends SandboxException {
    private static final long serialVersionUID = 1L;

    public InstanceNotFound(String message) {
      super(message);
    }
  }

  /** The function is not an allowed entry point, or the module does not export it. */
  public static final class CallNotAllowed extends SandboxException {
    private static final long serialVersionUID = 1L;

    public CallNotAllowed(String message) {
      super(message);
    }
  }

  /**
   * The module exceeds, or ran past, one of its limits (memory, table, instructions, output...).
   */
  public static final class LimitExceeded extends SandboxException {
    private static final long serialVersionUID = 1L;

    public LimitExceeded(String message) {
      super(message);
    }
  }

  /** A call into the module ran longer than its wall-clock limit and was interrupted. */
  public static final class ExecutionTimeExceeded extends SandboxException {
    private static final long serialVersionUID = 1L;

    public ExecutionTimeExceeded(String message) {
      super(message);
    }
  }

  /** The module trapped; {@link #trapReason()} is the WebAssembly trap's own reason. */
  public static final class Trap extends SandboxException {
    private static final long serialVersionUID = 1L;
    private final String trapReason;

    public Trap(String message, String trapReason, Throwable cause) {
      super(message, cause);
      this.trapReason = trapReason;
    }

    public String trapReason() {
      return trapReason;
    }
  }

  /**
   * The app called WASI {@code proc_exit}: it ended itself. Exit code 0 is a normal end, anything
   * else a failure.
   */
  public static final class AppExited extends SandboxException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public AppExited(String message, int exitCode) {
      super(message);
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }

    public boolean failed() {
      return exitCode != 0;
    }
  }
}
