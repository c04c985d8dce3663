package io.wasmbed.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A command that does one thing to one named resource through the API and says what it did, such as
 * {@code wasmbed app stop NAME}.
 */
abstract class ResourceAction implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ApiOptions api;

  @Parameters(
      paramLabel = "NAME",
      description = "The device or application name, or the key id for `key revoke`.")
  String name;

  private final String kind;
  private final String action;
  private final String outcome;

  /**
   * @param kind the API collection, e.g. {@code applications}
   * @param action the sub-resource to POST to, or {@code null} for DELETE
   * @param outcome what the user reads afterwards, e.g. {@code stopping}
   */
  ResourceAction(String kind, String action, String outcome) {
    this.kind = kind;
    this.action = action;
    this.outcome = outcome;
  }

  @Override
  public Integer call() {
    if (action == null) {
      api.client().delete(ApiClient.path(kind, name));
    } else {
      api.client().post(ApiClient.path(kind, name, action), Map.of());
    }
    String singular = kind.substring(0, kind.length() - 1);
    spec.commandLine().getOut().println(singular + "/" + name + " " + outcome);
    return 0;
  }
}
