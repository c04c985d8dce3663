package io.wasmbed.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wasmbed.store.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The CLI's view of the control-plane REST API: JSON in, JSON out, errors as CliException. */
final class ApiClient {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String baseUrl;
  private final String apiKey;
  private final HttpClient http;
  private final ObjectMapper json = Json.mapper();

  ApiClient(String baseUrl, String apiKey) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.apiKey = apiKey;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * The API path of one resource (and optional sub-resource), with the name percent-encoded so that
   * {@code dev3?really=no} names a resource instead of changing the request.
   */
  static String path(String collection, String name, String... rest) {
    if (name == null || name.isBlank()) {
      throw new CliException("NAME: '" + name + "' (expected: a resource name)", 2);
    }
    StringBuilder path = new StringBuilder("/api/v1/").append(collection).append('/');
    path.append(URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
    for (String part : rest) {
      path.append('/').append(part);
    }
    return path.toString();
  }

  JsonNode get(String path) {
    return send(request(path).GET());
  }

  JsonNode post(String path, Object body) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(toJson(body))));
  }

  JsonNode delete(String path) {
    return send(request(path).DELETE());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(TIMEOUT)
        .header("Authorization", "Bearer " + apiKey)
        .header("Accept", "application/json");
  }

  private byte[] toJson(Object body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new CliException("cannot encode request: " + e.getOriginalMessage());
    }
  }

  private JsonNode send(HttpRequest.Builder builder) {
    HttpRequest request = builder.build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (ConnectException e) {
      throw new CliException(
          "cannot reach the control plane at " + baseUrl + " (is `wasmbed up` running?)");
    } catch (IOException e) {
      throw new CliException("request to " + request.uri() + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    JsonNode body = parse(response.body());
    if (response.statusCode() >= 300) {
      throw new CliException(describeError(response.statusCode(), body));
    }
    return body;
  }

  private JsonNode parse(byte[] bytes) {
    if (bytes.length == 0) {
      return json.createObjectNode();
    }
    try {
      return json.readTree(bytes);
    } catch (IOException e) {
      return json.getNodeFactory()
          .textNode(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static String describeError(int status, JsonNode body) {
    String message = body.path("message").asText(body.isTextual() ? body.asText() : "");
    String error = body.path("error").asText("");
    String detail = message.isEmpty() ? error : message;
    return "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
  }
}
