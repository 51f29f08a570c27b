package dev.rebound.runtime.internal.chain;

import static dev.rebound.runtime.ReboundEvent.Kind.FALLBACK;

import dev.rebound.runtime.FallbackContext;
import dev.rebound.runtime.FallbackHandler;
import dev.rebound.runtime.internal.Alternative;
import dev.rebound.runtime.internal.FallbackRule;
import dev.rebound.runtime.internal.ResilientProxy;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The top of the chain when a {@link FallbackHandler} decides the fallback: once the primary's chain
 * has failed and the {@link FallbackRule} lets its failure through, the handler gets the failure, the
 * history and the arguments, and answers, calls an alternative's chain by class or position, walks them in order,
 * or throws. Never after an Error or an interrupt. Synchronous only (the rule set refuses a handler
 * on an asynchronous method).
 */
final class HandlerFallbackStrategy extends FallbackStrategy {

    private final String method;
    private final FallbackHandler handler;
    private final String handlerName;

    HandlerFallbackStrategy(MethodSpec spec, Strategy primary, Alternative[] alternatives, Strategy[] chains,
            Events events) {
        super(spec.fallbackRule(), primary, alternatives, chains, events);
        this.method = spec.name();
        this.handler = spec.fallbackHandler();
        this.handlerName = ResilientProxy.nameOf(handler); // as every door names a target: Service$1, Outer$$Lambda
    }

    /** As {@link Strategy}'s default: loudly refused (never reached: the rule set refuses it first). */
    @Override
    public CompletableFuture<Object> applyAsync(Execution call) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(getClass().getSimpleName()
                + " has no asynchronous variant: " + call.target + " cannot run it on a CompletionStage or a stream"));
    }

    /** The handler decides, with what it is given; its own exception is what the caller gets. */
    @Override
    Object fallBack(Execution call) {
        FailureHistory history = call.history;
        Throwable failure = history.last();
        if (!mayFallBack(call, rule, failure)) {
            return call.failed(failure);
        }
        events.emit(call, FALLBACK, call.target, handlerName, 0, 0L, refusedBy(call, failure), failure);
        Object[] args = call.fallbackArgs();
        call.trace.fallback(call.target, handlerName);
        call.aim(handlerName, false, null, null, args);
        Context context = new Context(call, failure, args);
        try {
            Object answer = handler.handle(context);
            if (!context.alternativeAnswered) {
                // the handler's own answer (nothing called, or what it called failed): the call's success
                // names the handler, at attempt 0, as no attempt was sent for it
                call.aim(handlerName, false, null, null, args);
            }
            return answer;
        } catch (Throwable t) {
            // the handler decides: what it throws is the caller's exception, every other failure suppressed on it
            if (t == context.walkEndedBy) {
                // the failure that ended its walk (next()), rethrown: as itself, told on the alternative that threw it
                history.endedBy(t);
                call.aim(context.walkEndedOn, false, null, null, args);
            } else {
                history.endedBy(null); // a walk that ended is not the outcome: the handler went on, or threw another
                if (!history.contains(t)) {
                    history.outcome(t); // the handler's own exception: the caller gets it, history suppressed
                }
            }
            return call.failed(t);
        } finally {
            context.open = false;
        }
    }

    /** What the handler sees; valid during its call only. */
    private final class Context implements FallbackContext {
        private final Execution call;
        private final Throwable failure;
        private final Object[] args;
        boolean open = true;
        /** Whether the last alternative the handler ran answered: the call is still aimed at it. */
        boolean alternativeAnswered;
        /** The failure that ended the handler's last {@link #next} walk, or null; and the alternative that threw it. */
        Throwable walkEndedBy;
        String walkEndedOn;

        Context(Execution call, Throwable failure, Object[] args) {
            this.call = call;
            this.failure = failure;
            this.args = args;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public Throwable failure() {
            return failure;
        }

        @Override
        public List<Throwable> history() {
            return call.history.toList();
        }

        @Override
        public Object[] arguments() {
            return args == null ? new Object[0] : args.clone();
        }

        /**
         * The class each alternative stands for, as {@code @Fallback.to} lists it (or what an instance given to
         * {@code withFallbacks} stands for, as events name it: the class above a container's generated subclass, the
         * interface a mock or a JDK proxy stands for), never a class generated at run time: known without making
         * any instance, so asking a provider nothing.
         */
        @Override
        public List<Class<?>> alternatives() {
            List<Class<?>> types = new ArrayList<>(alternatives.length);
            for (Alternative a : alternatives) {
                types.add(a.type());
            }
            return Collections.unmodifiableList(types);
        }

        @Override
        public Object call(Class<?> alternative, Object... callArgs) throws Throwable {
            Objects.requireNonNull(alternative, "alternative");
            check(callArgs);
            call.history.endedBy(null); // on past a walk that ended: its failure is the caller's only if rethrown
            int position = positionOf(alternative); // by class: only the alternative called is made
            return run(position, instance(position), callArgs);
        }

        @Override
        public Object call(int position, Object... callArgs) throws Throwable {
            check(callArgs);
            if (position < 0 || position >= alternatives.length) {
                throw new IndexOutOfBoundsException(method + ": FallbackContext.call(int, ...) has no alternative"
                        + " at position " + position + ": " + (alternatives.length == 0
                                ? "there are none (@Fallback.to / withFallbacks)"
                                : "alternatives() has positions 0 to " + (alternatives.length - 1) + ", counted from 0"));
            }
            call.history.endedBy(null); // on past a walk that ended: its failure is the caller's only if rethrown
            return run(position, instance(position), callArgs);
        }

        /**
         * The position of the one alternative {@code type} names, by the classes {@link #alternatives()} lists
         * (no instance is made: another alternative's failing provider never fails this call): the one of that
         * class, else the one of a subclass of it. Two that fit alike are a question the handler must answer, by
         * position: never the first of them, silently.
         */
        private int positionOf(Class<?> type) {
            List<Integer> exact = new ArrayList<>();
            List<Integer> assignable = new ArrayList<>();
            for (int i = 0; i < alternatives.length; i++) {
                Class<?> listed = alternatives[i].type();
                if (listed == type) {
                    exact.add(i);
                } else if (type.isAssignableFrom(listed)) {
                    assignable.add(i);
                }
            }
            List<Integer> fits = exact.isEmpty() ? assignable : exact;
            if (fits.size() == 1) {
                return fits.get(0);
            }
            if (fits.isEmpty()) {
                throw new IllegalArgumentException(method + ": " + type.getName()
                        + " is not one of the alternatives (@Fallback.to / withFallbacks)");
            }
            StringBuilder at = new StringBuilder();
            for (int k = 0; k < fits.size(); k++) {
                int i = fits.get(k);
                at.append(k == 0 ? "" : k == fits.size() - 1 ? " and " : ", ")
                        .append(i).append(" (").append(alternatives[i].name()).append(')');
            }
            throw new IllegalArgumentException(method + ": FallbackContext.call(" + type.getSimpleName()
                    + ".class, ...) cannot tell which alternative is meant: " + type.getName()
                    + (exact.isEmpty() ? " is the class of none, and a supertype of those" : " is listed more than once,")
                    + " at positions " + at + " of alternatives(), counted from 0; call the one meant by its position"
                    + " with FallbackContext.call(int, ...)");
        }

        /** Alternative {@code i}'s instance; a failure of its provider is recorded as the call's and thrown. */
        private Object instance(int i) throws Throwable {
            try {
                return alternatives[i].instance();
            } catch (Throwable providerFailure) {
                call.history.record(providerFailure);
                throw providerFailure;
            }
        }

        @Override
        public Object next(Object... callArgs) throws Throwable {
            check(callArgs);
            FailureHistory history = call.history;
            history.endedBy(null); // on past a walk that ended: its failure is the caller's only if rethrown
            walkEndedBy = null;
            for (int i = 0; ; i++) {
                Throwable last = history.last();
                if (call.interrupted || last instanceof Error || i > 0 && !mayFallBack(call, rule, last)) {
                    if (i > 0) {
                        stoppedBy(history, call.interrupted); // an alternative's failure the rule does not pass on
                        walkEndedBy = history.ended();
                        walkEndedOn = alternatives[i - 1].name(); // whose run or instance failed
                    }
                    break;
                }
                if (i == alternatives.length) {
                    break;
                }
                Object instance;
                try {
                    instance = alternatives[i].instance();
                } catch (Throwable providerFailure) {
                    history.record(providerFailure);
                    continue;
                }
                try {
                    return run(i, instance, callArgs);
                } catch (Throwable t) {
                    // recorded by run; on to the next
                }
            }
            throw history.last();
        }

        /**
         * Runs alternative {@code i}'s chain for the handler; each switch is a fallback like the plain
         * rule's (an event from the target before it, the handler first, to this alternative, and a
         * switch in the trace), so that it is logged, counted and traced as one.
         */
        private Object run(int i, Object instance, Object[] callArgs) throws Throwable {
            Alternative alt = alternatives[i];
            Throwable last = call.history.last();
            events.emit(call, FALLBACK, call.target, alt.name(), 0, 0L, refusedBy(call, last), last);
            call.trace.fallback(call.target, alt.name());
            call.aim(alt.name(), false, alt, instance, callArgs);
            Object result;
            try {
                result = chains[i].apply(call);
            } catch (Throwable t) {
                result = call.failed(t);
            }
            if (result == Execution.FAILED) {
                alternativeAnswered = false;
                Throwable t = call.failure;
                keep(call.history, t);
                throw t; // to the handler, whose code called the alternative
            }
            alternativeAnswered = true;
            return result;
        }

        private void check(Object[] callArgs) {
            if (!open) {
                throw new IllegalStateException(method + ": a FallbackContext is valid only during handle()");
            }
            int expected = args == null ? 0 : args.length;
            if (callArgs == null || callArgs.length != expected) {
                throw new IllegalArgumentException(method + ": the alternative takes " + expected
                        + " arguments, got " + (callArgs == null ? "null" : callArgs.length));
            }
        }
    }
}
