package dev.tresor.kms.rest;

import dev.tresor.kms.service.Administration;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.Readiness;
import dev.tresor.kms.service.SealStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prometheus metrics at {@code /metrics}: Vert.x's HTTP server metrics labelled by route
 * template, method and status (request counts, latency histograms), and Tresor's own: rate-limit
 * refusals, the seal state and a failed store. The {@link Vertx} must be built by {@link #newVertx}
 * so that its HTTP metrics land in this registry.
 */
public final class RestMetrics {
    static final String PATH = "/metrics";

    private final PrometheusMeterRegistry registry;
    private final String registryName;
    private final AtomicInteger sealed = new AtomicInteger();
    private final AtomicInteger initialized = new AtomicInteger();
    private final AtomicInteger storeFailed = new AtomicInteger();

    private RestMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        // A name of its own, so that several servers in one JVM (tests) never share a registry.
        this.registryName = "tresor-" + UUID.randomUUID();
    }

    public static RestMetrics create() {
        return new RestMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** A Vert.x instance whose HTTP metrics (per route, with latency histograms) go to this registry. */
    public Vertx newVertx(VertxOptions options) {
        MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions()
                .setEnabled(true)
                .setRegistryName(registryName)
                .setJvmMetricsEnabled(true)
                .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE))
                .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true));
        return Vertx.builder()
                .with(new VertxOptions(options).setMetricsOptions(metricsOptions))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
    }

    void rateLimitRefused() {
        rateLimitRefusals().increment();
    }

    /** Micrometer answers the registered counter on every later call. */
    private Counter rateLimitRefusals() {
        return Counter.builder("tresor.rate.limit.refusals")
                .description("Calls refused with 429 because the KMS instance's hourly budget was spent")
                .register(registry);
    }

    /**
     * {@code /metrics}: refreshes the seal, store and key-version gauges on a worker, then renders the registry. Tresor's
     * meters are registered here, after Vert.x has configured the registry's filters.
     */
    void mount(Router router, Administration admin, KeyManagement keys, Blocking blocking) {
        rateLimitRefusals();
        MultiGauge versions = MultiGauge.builder("tresor.key.versions")
                .description("Live key versions per KMS instance (STACKIT bills key versions per hour)")
                .register(registry);
        Gauge.builder("tresor.sealed", sealed, AtomicInteger::get)
                .description("1 while the server is sealed (every data path answers 503), else 0")
                .register(registry);
        Gauge.builder("tresor.initialized", initialized, AtomicInteger::get)
                .description("1 once the server has been initialised")
                .register(registry);
        Gauge.builder("tresor.store.failed", storeFailed, AtomicInteger::get)
                .description("1 once a store commit failed: every write fails until the server restarts")
                .register(registry);
        Handler<RoutingContext> scrape = PrometheusScrapingHandler.create(registry);
        router.get(PATH).handler(ctx -> blocking.run(() -> {
            record(admin.sealStatus());
            storeFailed.set(admin.readiness() == Readiness.STORE_FAILED ? 1 : 0);
            versions.register(keys.keyVersionCounts().entrySet().stream()
                    .map(e -> MultiGauge.Row.of(Tags.of("project", e.getKey().projectId(), "region",
                            e.getKey().regionId()), e.getValue()))
                    .toList(), true);
            return null;
        }).onComplete(refreshed -> scrape.handle(ctx)));
    }

    private void record(SealStatus status) {
        sealed.set(status.sealed() ? 1 : 0);
        initialized.set(status.initialized() ? 1 : 0);
    }
}
