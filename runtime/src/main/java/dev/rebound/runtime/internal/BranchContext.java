package dev.rebound.runtime.internal;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trace context a branch of {@code Parallel} or an input of {@code Batch} carries from the thread
 * that submitted it: the current Micrometer observation (what {@code ObservationTracer} parents a call
 * under; its tracing bridge makes the observation's span current with it) and the current OpenTelemetry
 * context, each when its library is on the class path. Taken on the submitting thread when the run is
 * made ({@link #capture}), made current on the branch's thread while the branch runs ({@link #enter}) and
 * taken back when it ends, however it ends ({@link #leave}): a pool thread's next task finds what it
 * found before. Without either library, or with nothing current, it is null and costs nothing.
 */
final class BranchContext {

    private static final Logger LOG = LoggerFactory.getLogger(BranchContext.class);
    private static final boolean OBSERVATION = observationPresent();
    private static final boolean OPENTELEMETRY = openTelemetryPresent();

    /** The submitting thread's current observation, or null; its OpenTelemetry context, or null. */
    private final Object observation;
    private final Object otel;
    private final Thread submitter;

    private BranchContext(Object observation, Object otel) {
        this.observation = observation;
        this.otel = otel;
        this.submitter = Thread.currentThread();
    }

    /** What is current on this (the submitting) thread; null when nothing is, or no tracing library is present. */
    static BranchContext capture() {
        Object observation = OBSERVATION ? Observations.current() : null;
        Object otel = OPENTELEMETRY ? Otel.current() : null;
        return observation == null && otel == null ? null : new BranchContext(observation, otel);
    }

    /**
     * Makes the captured context current on this (the branch's) thread; what to hand to {@link #leave}.
     * Nothing on the submitting thread itself (an executor that runs the task in place), where it is current.
     */
    Object[] enter() {
        if (Thread.currentThread() == submitter) {
            return null;
        }
        Object[] scopes = new Object[2];
        try { // the observation first: through a tracing bridge its scope makes its span current, and the
            // caller's OpenTelemetry context, which may hold a span opened inside it, goes on top
            if (observation != null) {
                scopes[0] = Observations.openScope(observation);
            }
            if (otel != null) {
                scopes[1] = Otel.makeCurrent(otel);
            }
        } catch (RuntimeException e) { // a handler that throws: the branch runs, without the caller's context
            ignored(e);
        } catch (Error e) { // the branch fails with it: what was made current is taken back first
            leave(scopes);
            throw e;
        }
        return scopes;
    }

    /**
     * Takes back what {@link #enter} made current, in the reverse order: the OpenTelemetry context, then the
     * observation's scope, each whatever the other threw.
     */
    static void leave(Object[] scopes) {
        if (scopes == null) {
            return;
        }
        try {
            if (scopes[1] != null) {
                Otel.close(scopes[1]);
            }
        } catch (RuntimeException e) {
            ignored(e);
        } finally {
            try {
                if (scopes[0] != null) {
                    Observations.close(scopes[0]);
                }
            } catch (RuntimeException e) {
                ignored(e);
            }
        }
    }

    private static void ignored(RuntimeException e) {
        LOG.warn("Rebound could not carry the trace context into a branch: {}; ignored", e.getClass().getName());
    }

    /** Whether Micrometer's Observation API is on the class path: its first use links it, or fails to. */
    private static boolean observationPresent() {
        try {
            Observations.current();
            return true;
        } catch (LinkageError absent) { // NoClassDefFoundError: the optional dependency is not there
            return false;
        }
    }

    /** Whether OpenTelemetry's context is on the class path, as {@link #observationPresent}. */
    private static boolean openTelemetryPresent() {
        try {
            Otel.current();
            return true;
        } catch (LinkageError absent) {
            return false;
        }
    }

    /** Micrometer's Observation API, loaded only when present. */
    private static final class Observations {
        /** The current observation is a thread's, whichever registry made it: any registry reads it. */
        private static final ObservationRegistry ANY = ObservationRegistry.create();

        static Object current() {
            return ANY.getCurrentObservation();
        }

        static Object openScope(Object observation) {
            Observation.Scope before = ANY.getCurrentObservationScope();
            try {
                return ((Observation) observation).openScope();
            } catch (RuntimeException | Error e) {
                // a handler threw once the scope was current, after earlier handlers acted on it (a tracing
                // bridge made the caller's span current): closed, so that they undo it, then not left current
                Observation.Scope opened = ANY.getCurrentObservationScope();
                try {
                    if (opened != null && opened != before) {
                        opened.close();
                    }
                } catch (RuntimeException | Error closing) {
                    e.addSuppressed(closing);
                } finally {
                    ANY.setCurrentObservationScope(before);
                }
                throw e;
            }
        }

        static void close(Object scope) {
            ((Observation.Scope) scope).close();
        }
    }

    /** OpenTelemetry's context, loaded only when present. */
    private static final class Otel {
        static Object current() {
            Context c = Context.current();
            return c == Context.root() ? null : c;
        }

        static Object makeCurrent(Object context) {
            return ((Context) context).makeCurrent();
        }

        static void close(Object scope) {
            ((Scope) scope).close();
        }
    }
}
