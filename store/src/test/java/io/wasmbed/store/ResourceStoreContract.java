package io.wasmbed.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ResourceStore} adapter must show. An adapter's test extends this class
 * and supplies a fresh, empty store; it is published in the store's test-jar for that purpose.
 */
public abstract class ResourceStoreContract {

  protected static final Duration WAIT = Duration.ofSeconds(10);

  protected ResourceStore store;

  /** A new, empty store. Called before each test. */
  protected abstract ResourceStore newStore();

  /**
   * Closes the store last returned by {@link #newStore()} or {@link #reopen()} and opens a new one
   * over the same data, as after a restart.
   */
  protected abstract ResourceStore reopen();

  @BeforeEach
  protected void openStore() {
    store = newStore();
  }

  @AfterEach
  protected void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  // ---- create, get, list ----

  @Test
  void createFillsUidVersionGenerationAndCreationTimestamp() {
    Device created = store.create(Kind.DEVICE, Fixtures.device("d1", Map.of("zone", "a")));

    ObjectMeta meta = created.metadata();
    assertThat(meta.uid()).isNotBlank();
    assertThat(meta.resourceVersion()).isPositive();
    assertThat(meta.generation()).isEqualTo(1);
    assertThat(meta.creationTimestamp()).isNotNull();
    assertThat(meta.labels()).isEqualTo(Map.of("zone", "a"));
    assertThat(store.currentResourceVersion()).isEqualTo(meta.resourceVersion());
  }

  @Test
  void getReturnsTheCreatedResource() {
    Device created = store.create(Kind.DEVICE, Fixtures.device("d1"));

    Device read = store.get(Kind.DEVICE, "d1").orElseThrow();

    assertThat(read).isEqualTo(created);
    assertThat(store.get(Kind.DEVICE, "missing")).isEmpty();
  }

  @Test
  void uidsDifferBetweenResources() {
    Device a = store.create(Kind.DEVICE, Fixtures.device("a"));
    Device b = store.create(Kind.DEVICE, Fixtures.device("b"));

    assertThat(a.metadata().uid()).isNotEqualTo(b.metadata().uid());
  }

  @Test
  void listIsOrderedByNameAndHoldsOnlyItsKind() {
    for (String name : List.of("c", "a", "b")) {
      store.create(Kind.DEVICE, Fixtures.device(name));
    }
    store.create(Kind.GATEWAY, Fixtures.gateway("a"));
    store.create(Kind.APPLICATION, Fixtures.application("zz"));

    assertThat(store.list(Kind.DEVICE, LabelSelector.ALL))
        .extracting(Device::name)
        .containsExactly("a", "b", "c");
    assertThat(store.list(Kind.GATEWAY, LabelSelector.ALL))
        .extracting(Gateway::name)
        .containsExactly("a");
    assertThat(store.list(Kind.APPLICATION, LabelSelector.ALL))
        .extracting(Application::name)
        .containsExactly("zz");
  }

  @Test
  void sameNameInDifferentKindsIsAllowed() {
    store.create(Kind.DEVICE, Fixtures.device("same"));
    store.create(Kind.GATEWAY, Fixtures.gateway("same"));

    assertThat(store.get(Kind.DEVICE, "same")).isPresent();
    assertThat(store.get(Kind.GATEWAY, "same")).isPresent();
  }

  @Test
  void creatingATakenNameIsAlreadyExists() {
    store.create(Kind.DEVICE, Fixtures.device("d1"));

    assertThatThrownBy(() -> store.create(Kind.DEVICE, Fixtures.device("d1")))
        .isInstanceOf(StoreException.AlreadyExists.class)
        .hasMessageContaining("d1")
        .satisfies(e -> assertThat(((StoreException) e).name()).isEqualTo("d1"));
  }

  @Test
  void listFiltersByLabelSelector() {
    store.create(Kind.DEVICE, Fixtures.device("a", Map.of("zone", "north", "tier", "edge")));
    store.create(Kind.DEVICE, Fixtures.device("b", Map.of("zone", "south", "tier", "edge")));
    store.create(Kind.DEVICE, Fixtures.device("c", Map.of("zone", "north")));

    assertThat(store.list(Kind.DEVICE, LabelSelector.parse("zone=north")))
        .extracting(Device::name)
        .containsExactly("a", "c");
    assertThat(store.list(Kind.DEVICE, LabelSelector.parse("zone=north,tier=edge")))
        .extracting(Device::name)
        .containsExactly("a");
    assertThat(store.list(Kind.DEVICE, LabelSelector.parse("zone=east"))).isEmpty();
    assertThat(store.list(Kind.DEVICE, LabelSelector.parse(""))).hasSize(3);
  }

  // ---- update, status, generation ----

  @Test
  void updateOfMissingResourceIsNotFound() {
    Device ghost =
        Fixtures.device("ghost")
            .withMetadata(Fixtures.device("ghost").metadata().withResourceVersion(1));

    assertThatThrownBy(() -> store.update(Kind.DEVICE, ghost))
        .isInstanceOf(StoreException.NotFound.class)
        .hasMessageContaining("ghost");
    assertThatThrownBy(() -> store.replaceStatus(Kind.DEVICE, ghost))
        .isInstanceOf(StoreException.NotFound.class);
    assertThat(store.updateStatus(Kind.DEVICE, "ghost", d -> d)).isEmpty();
    assertThat(store.delete(Kind.DEVICE, "ghost")).isFalse();
  }

  @Test
  void updateWithStaleResourceVersionIsConflict() {
    Device v1 = store.create(Kind.DEVICE, Fixtures.device("d1"));
    store.update(Kind.DEVICE, v1.withMetadata(v1.metadata().withLabels(Map.of("a", "1"))));

    Device stale = v1.withMetadata(v1.metadata().withLabels(Map.of("a", "2")));

    assertThatThrownBy(() -> store.update(Kind.DEVICE, stale))
        .isInstanceOf(StoreException.Conflict.class)
        .hasMessageContaining("d1");
    assertThatThrownBy(
            () ->
                store.replaceStatus(
                    Kind.DEVICE, v1.withStatus(v1.status().withPhase(Device.Phase.Connected, ""))))
        .isInstanceOf(StoreException.Conflict.class);
    assertThat(store.get(Kind.DEVICE, "d1").orElseThrow().metadata().labels())
        .isEqualTo(Map.of("a", "1"));
  }

  @Test
  void updateKeepsStoredStatusAndIdentity() {
    Device created = store.create(Kind.DEVICE, Fixtures.device("d1"));
    Device connected =
        store.replaceStatus(
            Kind.DEVICE, created.withStatus(created.status().connected("gw1", Fixtures.T0)));

    Device relabelled =
        connected
            .withStatus(Device.Status.PENDING)
            .withMetadata(connected.metadata().withLabels(Map.of("zone", "b")));
    Device updated = store.update(Kind.DEVICE, relabelled);

    assertThat(updated.status().phase()).isEqualTo(Device.Phase.Connected);
    assertThat(updated.status().gateway()).isEqualTo("gw1");
    assertThat(updated.metadata().labels()).isEqualTo(Map.of("zone", "b"));
    assertThat(updated.metadata().uid()).isEqualTo(created.metadata().uid());
    assertThat(updated.metadata().creationTimestamp())
        .isEqualTo(created.metadata().creationTimestamp());
    assertThat(updated.metadata().resourceVersion())
        .isGreaterThan(connected.metadata().resourceVersion());
    assertThat(store.get(Kind.DEVICE, "d1")).contains(updated);
  }

  @Test
  void replaceStatusKeepsStoredSpecAndMetadata() {
    Application created = store.create(Kind.APPLICATION, Fixtures.application("app"));
    Application.Spec otherSpec = created.spec().withStopped(true);
    Application.Status running =
        new Application.Status(
            Application.Phase.Running,
            List.of("d1"),
            Map.of(),
            1,
            1,
            0,
            0,
            "Running on 1/1 devices",
            1);
    Application sneaky =
        created
            .withSpec(otherSpec)
            .withStatus(running)
            .withMetadata(created.metadata().withLabels(Map.of("sneaky", "yes")));

    Application stored = store.replaceStatus(Kind.APPLICATION, sneaky);

    assertThat(stored.status()).isEqualTo(running);
    assertThat(stored.spec().stopped()).isFalse();
    assertThat(stored.metadata().labels()).isEmpty();
    assertThat(stored.metadata().generation()).isEqualTo(1);
    assertThat(stored.metadata().resourceVersion())
        .isGreaterThan(created.metadata().resourceVersion());
    assertThat(store.get(Kind.APPLICATION, "app").orElseThrow().status()).isEqualTo(running);
  }

  @Test
  void generationBumpsOnlyWhenSpecChanges() {
    Application v1 = store.create(Kind.APPLICATION, Fixtures.application("app"));

    Application relabelled =
        store.update(
            Kind.APPLICATION, v1.withMetadata(v1.metadata().withLabels(Map.of("team", "x"))));
    Application withStatus =
        store.replaceStatus(
            Kind.APPLICATION,
            relabelled.withStatus(
                new Application.Status(
                    Application.Phase.Deploying, List.of(), Map.of(), 0, 0, 0, 0, "", 1)));
    Application stopped =
        store.update(Kind.APPLICATION, withStatus.withSpec(withStatus.spec().withStopped(true)));

    assertThat(relabelled.metadata().generation()).isEqualTo(1);
    assertThat(withStatus.metadata().generation()).isEqualTo(1);
    assertThat(stopped.metadata().generation()).isEqualTo(2);
    assertThat(stopped.spec().stopped()).isTrue();
  }

  @Test
  void resourceVersionsIncreaseAcrossKinds() {
    long before = store.currentResourceVersion();
    Device d = store.create(Kind.DEVICE, Fixtures.device("d"));
    Gateway g = store.create(Kind.GATEWAY, Fixtures.gateway("g"));
    Device d2 =
        store.replaceStatus(Kind.DEVICE, d.withStatus(d.status().connected("g", Fixtures.T0)));

    assertThat(d.metadata().resourceVersion()).isGreaterThan(before);
    assertThat(g.metadata().resourceVersion()).isGreaterThan(d.metadata().resourceVersion());
    assertThat(d2.metadata().resourceVersion()).isGreaterThan(g.metadata().resourceVersion());
    assertThat(store.currentResourceVersion()).isEqualTo(d2.metadata().resourceVersion());
  }

  @Test
  void updateStatusAppliesTheChangeToTheStoredResource() {
    store.create(Kind.DEVICE, Fixtures.device("d1"));

    Device result =
        store
            .updateStatus(
                Kind.DEVICE, "d1", d -> d.withStatus(d.status().connected("gw", Fixtures.T0)))
            .orElseThrow();

    assertThat(result.status().phase()).isEqualTo(Device.Phase.Connected);
    assertThat(store.get(Kind.DEVICE, "d1")).contains(result);
  }

  @Test
  void concurrentUpdateStatusLosesNoUpdate() throws Exception {
    store.create(Kind.GATEWAY, Fixtures.gateway("gw"));
    int perThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    store.updateStatus(Kind.GATEWAY, "gw", Fixtures::countOneMoreDevice);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(store.get(Kind.GATEWAY, "gw").orElseThrow().status().connectedDevices())
        .isEqualTo(2 * perThread);
  }

  // ---- delete ----

  @Test
  void deleteRemovesTheResourceAndEmitsDeletedWithItsLastState() {
    Device created = store.create(Kind.DEVICE, Fixtures.device("d1", Map.of("zone", "a")));
    Recorder<Device> events = new Recorder<>();
    try (ResourceStore.Watch w =
        store.watch(Kind.DEVICE, created.metadata().resourceVersion(), events)) {

      assertThat(store.delete(Kind.DEVICE, "d1")).isTrue();

      await().atMost(WAIT).until(() -> events.size() == 1);
      WatchEvent<Device> deleted = events.get(0);
      assertThat(deleted.type()).isEqualTo(WatchEvent.Type.DELETED);
      assertThat(deleted.resource().name()).isEqualTo("d1");
      assertThat(deleted.resource().metadata().labels()).isEqualTo(Map.of("zone", "a"));
      assertThat(deleted.resource().metadata().resourceVersion())
          .isEqualTo(store.currentResourceVersion());
    }
    assertThat(store.get(Kind.DEVICE, "d1")).isEmpty();
    assertThat(store.delete(Kind.DEVICE, "d1")).isFalse();
    assertThat(store.create(Kind.DEVICE, Fixtures.device("d1")).metadata().uid())
        .isNotEqualTo(created.metadata().uid());
  }

  // ---- watch ----

  @Test
  void watchFromZeroReplaysCurrentStateThenFollowsChanges() {
    store.create(Kind.DEVICE, Fixtures.device("b"));
    store.create(Kind.DEVICE, Fixtures.device("a"));
    Recorder<Device> events = new Recorder<>();

    try (ResourceStore.Watch w = store.watch(Kind.DEVICE, 0, events)) {
      await().atMost(WAIT).until(() -> events.size() == 2);
      Device c = store.create(Kind.DEVICE, Fixtures.device("c"));
      store.updateStatus(Kind.DEVICE, "a", d -> d.withStatus(d.status().heartbeat(Fixtures.T0)));

      await().atMost(WAIT).until(() -> events.size() == 4);
      assertThat(events.describe()).containsExactly("ADDED a", "ADDED b", "ADDED c", "MODIFIED a");
      assertThat(events.get(2).resource()).isEqualTo(c);
      assertThat(events.get(3).resource().status().lastHeartbeat()).isEqualTo(Fixtures.T0);
    }
  }

  @Test
  void watchFromAResourceVersionDeliversOnlyLaterChanges() {
    store.create(Kind.DEVICE, Fixtures.device("a"));
    Device b = store.create(Kind.DEVICE, Fixtures.device("b"));
    store.create(Kind.DEVICE, Fixtures.device("c"));
    store.updateStatus(Kind.DEVICE, "a", d -> d.withStatus(d.status().heartbeat(Fixtures.T0)));
    Recorder<Device> events = new Recorder<>();

    try (ResourceStore.Watch w = store.watch(Kind.DEVICE, b.metadata().resourceVersion(), events)) {
      await().atMost(WAIT).until(() -> events.size() == 2);
      store.delete(Kind.DEVICE, "b");

      await().atMost(WAIT).until(() -> events.size() == 3);
      assertThat(events.describe()).containsExactly("ADDED c", "MODIFIED a", "DELETED b");
    }
  }

  @Test
  void watchDeliversOnlyItsKindInResourceVersionOrder() {
    Recorder<Device> devices = new Recorder<>();
    Recorder<Application> apps = new Recorder<>();
    long from = store.currentResourceVersion();

    try (ResourceStore.Watch wd = store.watch(Kind.DEVICE, from, devices);
        ResourceStore.Watch wa = store.watch(Kind.APPLICATION, from, apps)) {
      for (int i = 0; i < 20; i++) {
        store.create(Kind.DEVICE, Fixtures.device("d" + i));
        store.create(Kind.APPLICATION, Fixtures.application("a" + i));
        store.updateStatus(
            Kind.DEVICE, "d" + i, d -> d.withStatus(d.status().heartbeat(Fixtures.T0)));
      }

      await().atMost(WAIT).until(() -> devices.size() == 40 && apps.size() == 20);
      assertThat(devices.events()).allMatch(e -> e.resource() instanceof Device);
      assertThat(apps.describe()).allMatch(s -> s.startsWith("ADDED a"));
      assertThat(devices.versions()).isSorted().doesNotHaveDuplicates();
      assertThat(apps.versions()).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void closedWatchReceivesNothingMore() {
    Recorder<Device> events = new Recorder<>();
    ResourceStore.Watch w = store.watch(Kind.DEVICE, 0, events);
    store.create(Kind.DEVICE, Fixtures.device("a"));
    await().atMost(WAIT).until(() -> events.size() == 1);

    w.close();
    store.create(Kind.DEVICE, Fixtures.device("b"));
    Recorder<Device> probe = new Recorder<>();
    try (ResourceStore.Watch p = store.watch(Kind.DEVICE, 0, probe)) {
      await().atMost(WAIT).until(() -> probe.size() == 2);
    }

    assertThat(events.describe()).containsExactly("ADDED a");
  }

  // ---- durability ----

  @Test
  void everythingSurvivesReopenAndVersionsKeepIncreasing() {
    Device d = store.create(Kind.DEVICE, Fixtures.device("d1", Map.of("zone", "a")));
    Device connected =
        store.replaceStatus(Kind.DEVICE, d.withStatus(d.status().connected("gw", Fixtures.T0)));
    Application app = store.create(Kind.APPLICATION, Fixtures.application("app"));
    store.create(Kind.GATEWAY, Fixtures.gateway("gw"));
    store.delete(Kind.GATEWAY, "gw");
    long version = store.currentResourceVersion();

    store = reopen();

    assertThat(store.currentResourceVersion()).isEqualTo(version);
    assertThat(store.get(Kind.DEVICE, "d1")).contains(connected);
    assertThat(Fixtures.json(store.get(Kind.APPLICATION, "app").orElseThrow()))
        .isEqualTo(Fixtures.json(app));
    assertThat(store.get(Kind.GATEWAY, "gw")).isEmpty();
    Device next = store.create(Kind.DEVICE, Fixtures.device("d2"));
    assertThat(next.metadata().resourceVersion()).isGreaterThan(version);
  }

  @Test
  void watchResumesAfterReopenFromAnEarlierVersion() {
    Device a = store.create(Kind.DEVICE, Fixtures.device("a"));
    store.create(Kind.DEVICE, Fixtures.device("b"));

    store = reopen();
    Recorder<Device> events = new Recorder<>();
    try (ResourceStore.Watch w = store.watch(Kind.DEVICE, a.metadata().resourceVersion(), events)) {
      store.create(Kind.DEVICE, Fixtures.device("c"));

      await().atMost(WAIT).until(() -> events.size() == 2);
      assertThat(events.describe()).containsExactly("ADDED b", "ADDED c");
    }
  }

  // ---- validation ----

  @Test
  void createWithAResourceVersionIsInvalid() {
    Device withVersion =
        Fixtures.device("d1").withMetadata(ObjectMeta.named("d1").withResourceVersion(7));

    assertThatThrownBy(() -> store.create(Kind.DEVICE, withVersion))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageContaining("metadata.resourceVersion: 7");
    assertThat(store.get(Kind.DEVICE, "d1")).isEmpty();
  }

  @Test
  void invalidLabelsAreRejectedNamingTheLabel() {
    assertThatThrownBy(
            () -> store.create(Kind.DEVICE, Fixtures.device("d1", Map.of("bad key", "v"))))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageContaining("'bad key'");
    Device d = store.create(Kind.DEVICE, Fixtures.device("d2"));
    assertThatThrownBy(
            () ->
                store.update(
                    Kind.DEVICE, d.withMetadata(d.metadata().withLabels(Map.of("zone", "a b")))))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageContaining("'a b'");
    assertThat(store.get(Kind.DEVICE, "d2")).contains(d);
  }

  @Test
  void invalidNamesNeverReachTheStore() {
    assertThatThrownBy(() -> Fixtures.device("Not_A_Name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metadata.name: 'Not_A_Name'");
  }

  /** Collects events delivered to a watch. */
  protected static final class Recorder<R extends Resource<R>>
      implements ResourceStore.WatchListener<R> {
    private final List<WatchEvent<R>> events = new CopyOnWriteArrayList<>();
    private final List<StoreException> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(WatchEvent<R> event) {
      events.add(event);
    }

    @Override
    public void onError(StoreException error) {
      errors.add(error);
    }

    public int size() {
      return events.size();
    }

    public WatchEvent<R> get(int index) {
      return events.get(index);
    }

    public List<WatchEvent<R>> events() {
      return List.copyOf(events);
    }

    public List<StoreException> errors() {
      return List.copyOf(errors);
    }

    public List<String> describe() {
      return events.stream().map(e -> e.type() + " " + e.resource().name()).toList();
    }

    public List<Long> versions() {
      return events.stream().map(e -> e.resource().metadata().resourceVersion()).toList();
    }
  }
}
