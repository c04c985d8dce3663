package io.wasmbed.controlplane.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wasmbed.controlplane.auth.ApiKey;
import io.wasmbed.controlplane.devices.Enrollment;
import io.wasmbed.pki.Pem;
import io.wasmbed.store.Application;
import io.wasmbed.store.Json;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.List;

/** Response bodies. Resources are written with the shared mapper, trimmed where noted. */
final class Views {

  private Views() {}

  /**
   * An Application as the API shows it: like the stored resource, except that an inline module is
   * replaced by its size ({@code spec.module.size}) so listings stay small.
   */
  static ObjectNode application(Application app) {
    ObjectNode node = Json.mapper().valueToTree(app);
    ObjectNode module = (ObjectNode) node.path("spec").path("module");
    byte[] inline = app.spec().module().inline();
    if (inline != null) {
      module.remove("inline");
      module.put("size", inline.length);
    }
    return node;
  }

  static ArrayNode applications(List<Application> apps) {
    ArrayNode array = Json.mapper().createArrayNode();
    apps.forEach(app -> array.add(application(app)));
    return array;
  }

  /** The device, its chain and the gateway CA, certificates as PEM text. */
  static ObjectNode enrollment(Enrollment enrollment) {
    ObjectNode node = Json.mapper().createObjectNode();
    node.set("device", Json.mapper().valueToTree(enrollment.device()));
    ArrayNode chain = node.putArray("chain");
    for (X509Certificate certificate : enrollment.chain()) {
      chain.add(Pem.encode(certificate));
    }
    node.put("gatewayCa", Pem.encode(enrollment.gatewayCa()));
    return node;
  }

  static ObjectNode key(ApiKey key) {
    ObjectNode node = Json.mapper().valueToTree(key);
    ArrayNode permissions = node.putArray("permissions");
    key.role().permissions().stream()
        .map(Object::toString)
        .sorted(Comparator.naturalOrder())
        .forEach(permissions::add);
    return node;
  }

  static ObjectNode error(String code, String message) {
    ObjectNode node = Json.mapper().createObjectNode();
    node.put("error", code);
    node.put("message", message);
    return node;
  }
}
