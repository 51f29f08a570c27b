package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.rebound.it.plain.shapes.SuperCallShapes;
import dev.rebound.weaver.guice.ReboundModule;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An override that calls the annotated method it overrides runs that {@code super} call once, under the
 * override's policy, whatever bridge javac adds beside the override (a covariant return, a type argument
 * for a parameter), through the woven door ({@code woven.shapes.SuperCallShapes}, compiled by ajc) and the
 * Guice door ({@link SuperCallShapes}, compiled by javac alone); a public method a class inherits from a
 * non-public one through javac's access bridge keeps the class's policy.
 */
class SuperCallDoorsTest extends VirtualTime {

    private Injector injector;

    @BeforeEach
    void injector() {
        injector = Guice.createInjector(new ReboundModule());
    }

    // ---- woven by ajc

    @Test
    void wovenRunsTheSuperCallOfACovariantOverrideOnceUnderItsPolicy() throws Exception {
        var sub = new dev.rebound.it.woven.shapes.SuperCallShapes.CovariantFetcher();
        assertThat(sub.getClass().getDeclaredMethod("fetch").getReturnType()).isEqualTo(String.class);
        assertThat(sub.getClass().getMethods()).anyMatch(m -> m.getName().equals("fetch") && m.isBridge());

        assertThat(catchThrowable(sub::fetch)).isSameAs(sub.down);
        assertThat(sub.calls).isEqualTo(3);
    }

    @Test
    void wovenRunsTheSuperCallOfAGenericOverrideOnceUnderItsPolicy() {
        var sub = new dev.rebound.it.woven.shapes.SuperCallShapes.StringHandler();
        assertThat(catchThrowable(() -> sub.handle(" e "))).isSameAs(sub.down);
        assertThat(sub.calls).isEqualTo(3);

        dev.rebound.it.woven.shapes.SuperCallShapes.Handler<String> viaBridge =
                new dev.rebound.it.woven.shapes.SuperCallShapes.StringHandler();
        assertThat(catchThrowable(() -> viaBridge.handle(" e "))).isSameAs(viaBridge.down); // handle(Object)
        assertThat(viaBridge.calls).isEqualTo(3);
    }

    @Test
    void wovenAppliesAClassLevelPolicyToAMethodInheritedThroughAnAccessBridge() throws Exception {
        var inheriting = new dev.rebound.it.woven.shapes.SuperCallShapes.Inheriting();
        assertThat(inheriting.getClass().getDeclaredMethod("call", String.class).isBridge()).isTrue();

        assertThat(catchThrowable(() -> inheriting.call("x"))).isSameAs(inheriting.down);
        assertThat(inheriting.calls).isEqualTo(3);
    }

    // ---- Guice: classes the injector constructs

    @Test
    void guiceRunsTheSuperCallOfACovariantOverrideOnceUnderItsPolicy() {
        SuperCallShapes.CovariantFetcher sub = injector.getInstance(SuperCallShapes.CovariantFetcher.class);
        assertThat(catchThrowable(sub::fetch)).isSameAs(sub.down);
        assertThat(sub.calls).isEqualTo(3);
    }

    @Test
    void guiceRunsTheSuperCallOfAGenericOverrideOnceUnderItsPolicy() {
        SuperCallShapes.StringHandler sub = injector.getInstance(SuperCallShapes.StringHandler.class);
        assertThat(catchThrowable(() -> sub.handle(" e "))).isSameAs(sub.down);
        assertThat(sub.calls).isEqualTo(3);

        SuperCallShapes.Handler<String> viaBridge = injector.getInstance(SuperCallShapes.StringHandler.class);
        assertThat(catchThrowable(() -> viaBridge.handle(" e "))).isSameAs(viaBridge.down);
        assertThat(viaBridge.calls).isEqualTo(3);
    }

    @Test
    void guiceAppliesAClassLevelPolicyToAMethodInheritedThroughAnAccessBridge() {
        SuperCallShapes.Inheriting inheriting = injector.getInstance(SuperCallShapes.Inheriting.class);
        assertThat(catchThrowable(() -> inheriting.call("x"))).isSameAs(inheriting.down);
        assertThat(inheriting.calls).isEqualTo(3);
    }
}
