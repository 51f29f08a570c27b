package dev.rebound.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The exact versions of everything the suite measures, as the build resolved them. */
final class Versions {

    private static final Properties BUILT = load();

    static final String REBOUND = get("rebound");
    static final String RESILIENCE4J = get("resilience4j");
    static final String FAILSAFE = get("failsafe");
    static final String SPRING_RETRY = get("spring-retry");
    static final String SPRING = get("spring");
    static final String SMALLRYE = get("smallrye-fault-tolerance");
    static final String GUICE = get("guice");
    static final String ASPECTJ = get("aspectj");
    static final String JMH = get("jmh");
    static final String SLF4J = get("slf4j");
    static final String LOGBACK = get("logback");

    private Versions() {
    }

    /** The line the suite prints above its table. */
    static String line() {
        return "Rebound " + REBOUND + "; resilience4j " + RESILIENCE4J + ", Failsafe " + FAILSAFE + ", Spring Retry "
                + SPRING_RETRY + " (Spring " + SPRING + "), SmallRye Fault Tolerance " + SMALLRYE + "; Guice " + GUICE
                + ", AspectJ " + ASPECTJ + ", JMH " + JMH + ", SLF4J " + SLF4J + " with Logback " + LOGBACK;
    }

    private static String get(String key) {
        String v = BUILT.getProperty(key);
        if (v == null || v.startsWith("${")) {
            throw new IllegalStateException("versions.properties has no " + key + ": was the suite built by Maven?");
        }
        return v;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
            if (in == null) {
                throw new IllegalStateException("versions.properties is missing: was the suite built by Maven?");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
