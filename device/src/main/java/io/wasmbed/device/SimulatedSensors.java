package io.wasmbed.device;

import io.wasmbed.sandbox.HostServices;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Sensors of a simulated device. Each reading is a slow daily-style wave around a per-device base
 * value plus a little noise; everything derives from the device name and the clock, so two runs
 * with the same name and the same clock read the same values. Unknown sensors read NaN.
 *
 * <p>Sensors: {@code temperature} (°C), {@code humidity} (%RH), {@code pressure} (hPa), {@code co2}
 * (ppm), {@code light} (lux).
 */
public final class SimulatedSensors implements HostServices {

  /** Base, spread of the per-device base, wave amplitude, wave period in seconds, noise. */
  private record Profile(double base, double spread, double amplitude, long period, double noise) {}

  private static final Map<String, Profile> PROFILES =
      Map.of(
          "temperature", new Profile(21.0, 4.0, 2.5, 600, 0.15),
          "humidity", new Profile(45.0, 10.0, 6.0, 900, 0.5),
          "pressure", new Profile(1013.0, 8.0, 1.5, 1800, 0.1),
          "co2", new Profile(600.0, 150.0, 120.0, 1200, 8.0),
          "light", new Profile(300.0, 100.0, 200.0, 3600, 5.0));

  private final String deviceName;
  private final Clock clock;
  private final long seed;

  public SimulatedSensors(String deviceName, Clock clock) {
    this.deviceName = Objects.requireNonNull(deviceName, "deviceName");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.seed = seedOf(deviceName);
  }

  /** Names of the sensors this device has. */
  public static Set<String> sensors() {
    return PROFILES.keySet();
  }

  public String deviceName() {
    return deviceName;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public double readSensor(String sensor) {
    Profile profile = sensor == null ? null : PROFILES.get(sensor);
    if (profile == null) {
      return Double.NaN;
    }
    long sensorSeed = mix(seed ^ seedOf(sensor));
    double millis = clock.millis();
    double base = profile.base() + profile.spread() * (unit(sensorSeed) - 0.5);
    double phase = 2 * Math.PI * unit(mix(sensorSeed + 1));
    double wave =
        profile.amplitude() * Math.sin(2 * Math.PI * millis / (profile.period() * 1000.0) + phase);
    double noise = profile.noise() * (unit(mix(sensorSeed + (long) (millis / 1000))) - 0.5) * 2;
    return Math.round((base + wave + noise) * 100) / 100.0;
  }

  private static long seedOf(String text) {
    long h = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64 finaliser: spreads nearby seeds over the whole range. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1). */
  private static double unit(long bits) {
    return (bits >>> 11) * 0x1.0p-53;
  }
}
