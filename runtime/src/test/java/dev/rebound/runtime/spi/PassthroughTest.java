package dev.rebound.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/**
 * What a door that applies a woven default's policy ({@link Passthrough#enterMethod}) leaves on its thread: the
 * default's advice takes the mark once, the door is calling its object until its call ends, and nothing of the call
 * is left after it (the woven side of it runs in integration-tests: {@code InheritedPolicyDoorsTest}).
 */
class PassthroughTest {

    /** Two default methods, the first calling the second on itself. */
    interface Notes {
        default String draft(String text) {
            return polish(text);
        }

        default String polish(String text) {
            return text;
        }
    }

    static final class Plain implements Notes {
    }

    private static final Method DRAFT = method("draft");
    private static final Method POLISH = method("polish");

    private static Method method(String name) {
        try {
            return Notes.class.getMethod(name, String.class);
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aDoorIsCallingItsObjectUntilItsCallEndsThoughTheDefaultItMarkedTookTheMark() {
        Plain called = new Plain();
        Plain other = new Plain();

        Object outer = Passthrough.enterMethod(called, null, DRAFT);
        try {
            assertThat(Passthrough.claim(called, POLISH, null)).as("another method's advice leaves it").isFalse();
            assertThat(Passthrough.claim(called, DRAFT, null)).as("the default marked takes it").isTrue();
            assertThat(Passthrough.claim(called, DRAFT, null)).as("once").isFalse();
            assertThat(Passthrough.marked(called)).as("the door is still calling it: polish, called on itself")
                    .isTrue();
            assertThat(Passthrough.marked(other)).as("another instance").isFalse();
        } finally {
            Passthrough.exit(outer);
        }

        assertThat(Passthrough.marked(called)).as("the door's call is over").isFalse();
        assertThat(Passthrough.pending()).isFalse();
    }

    @Test
    void aDoorsCallNestedInsideAnotherLeavesTheOuterDoorCallingItsObjectAndTheOuterLeavesNothing() {
        Plain called = new Plain();
        Plain inner = new Plain();

        Object outer = Passthrough.enterMethod(called, null, DRAFT);
        try {
            assertThat(Passthrough.claim(called, DRAFT, null)).isTrue();
            Object nested = Passthrough.enterMethod(inner, null, DRAFT);
            try {
                assertThat(Passthrough.claim(inner, DRAFT, null)).isTrue();
                assertThat(Passthrough.marked(inner)).isTrue();
            } finally {
                Passthrough.exit(nested);
            }
            assertThat(Passthrough.marked(inner)).as("the inner door's call is over").isFalse();
            assertThat(Passthrough.marked(called)).as("the outer door's is not").isTrue();
            Object alternative = Passthrough.enter(inner, null, POLISH); // the engine calling an alternative
            try {
                assertThat(Passthrough.marked(called)).as("the outer door's call goes on meanwhile").isTrue();
            } finally {
                Passthrough.exit(alternative);
            }
            assertThat(Passthrough.marked(called)).isTrue();
        } finally {
            Passthrough.exit(outer);
        }

        assertThat(Passthrough.marked(called)).isFalse();
        assertThat(Passthrough.marked(inner)).isFalse();
        assertThat(Passthrough.pending()).isFalse();
    }

    @Test
    void theInstanceBehindAContainersProxyIsCalledByTheDoorUntilItsCallEnds() {
        Plain proxy = new Plain(); // stands for a Spring proxy; what is behind it is given
        Plain behind = new Plain();
        Plain sameClass = new Plain();

        Object outer = Passthrough.enterMethod(proxy, behind, DRAFT);
        try {
            assertThat(Passthrough.claim(behind, DRAFT, null)).isTrue();
            assertThat(Passthrough.marked(behind)).isTrue();
            assertThat(Passthrough.marked(sameClass)).as("another instance of its class").isFalse();
        } finally {
            Passthrough.exit(outer);
        }
        assertThat(Passthrough.marked(behind)).isFalse();

        outer = Passthrough.enterMethod(proxy, Plain.class, DRAFT); // a target made per call: its class
        try {
            assertThat(Passthrough.claim(behind, DRAFT, null)).isTrue();
            assertThat(Passthrough.marked(sameClass)).isTrue();
        } finally {
            Passthrough.exit(outer);
        }
        assertThat(Passthrough.marked(sameClass)).isFalse();
    }
}
