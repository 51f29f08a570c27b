/**
 * Rebound's runtime: the public API ({@code Rebound.wrap}, policies, settings, events), the SPI the
 * doors use, the test clock and the optional integrations. The internal packages are not exported:
 * on the module path they can't be reached; on the class path (where most users run) the jar works
 * as before.
 */
module dev.rebound.runtime {
    requires transitive dev.rebound.annotations;
    requires org.slf4j;
    requires static java.net.http;
    requires static micrometer.core;
    requires static micrometer.observation;
    requires static io.opentelemetry.context;
    requires static langchain4j.core;
    requires static langchain4j;
    requires static langchain4j.http.client;
    requires static langchain4j.http.client.jdk;
    requires static io.github.bucket4j.core;
    requires static io.github.bucket4j.lettuce;
    requires static io.github.bucket4j.redis.common;
    requires static lettuce.core;
    requires static com.fasterxml.jackson.databind;

    exports dev.rebound.runtime;
    exports dev.rebound.runtime.spi;
    /** The rule set: for the doors and the weaver's annotation processor, which must not read internals. */
    exports dev.rebound.runtime.rules;
    exports dev.rebound.runtime.testing;
    exports dev.rebound.runtime.langchain4j;
    exports dev.rebound.runtime.metrics;
    exports dev.rebound.runtime.ratelimit;
    exports dev.rebound.runtime.observation;
}
