package io.wasmbed.sandbox;

import com.dylibso.chicory.runtime.ExecutionListener;
import com.dylibso.chicory.runtime.MStack;
import com.dylibso.chicory.wasm.types.Instruction;

/**
 * Exact instruction budget for the interpreter: Chicory's interpreter reports every instruction to
 * this listener, which stops the call once the budget is spent. (The compiled mode never calls
 * listeners; see {@link GuestCall} for how the budget is enforced there.)
 */
final class InstructionMeter implements ExecutionListener {
  private final long budget;
  private long executed;

  InstructionMeter(long budget) {
    this.budget = budget;
  }

  void reset() {
    executed = 0;
  }

  long executed() {
    return executed;
  }

  @Override
  public void onExecution(Instruction instruction, MStack stack) {
    if (++executed > budget) {
      throw new BudgetExhausted(budget);
    }
  }

  /** Unwinds the guest when the budget is spent; carries no stack trace. */
  static final class BudgetExhausted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExhausted(long budget) {
      super("instruction budget of " + budget + " exhausted", null, false, false);
    }
  }
}
