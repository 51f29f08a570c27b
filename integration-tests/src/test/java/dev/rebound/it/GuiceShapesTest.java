package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.name.Names;
import dev.rebound.it.plain.shapes.PlainShapes;
import dev.rebound.it.plain.shapes.PlainShapesModule;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.weaver.guice.ReboundModule;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The same class shapes compiled by javac alone: ReboundModule attaches each policy exactly once. */
class GuiceShapesTest extends VirtualTime {

    private Injector injector;

    @BeforeEach
    void injector() {
        injector = Guice.createInjector(new ReboundModule(), new PlainShapesModule());
    }

    @ParameterizedTest
    @ValueSource(strings = {"public static nested", "package-private static nested", "package-private top-level"})
    void everyClassShapeIsRetried(String shape) {
        PlainShapes.Flaky flaky = injector.getInstance(Key.get(PlainShapes.Flaky.class, Names.named(shape)));
        catchThrowable(() -> flaky.call("p"));
        assertThat(flaky.body().calls()).as(shape).isEqualTo(3);
    }

    @Test
    void aTypeVariableParameterKeepsItsPolicy() {
        PlainShapes.Handler<String> handler = injector.getInstance(Key.get(new TypeLiteral<PlainShapes.Handler<String>>() { }));
        catchThrowable(() -> handler.handle("e"));
        assertThat(((PlainShapes.EventHandler) handler).body.calls()).isEqualTo(3);
    }

    @Test
    void twoTypeParametersKeepTheirPolicy() {
        PlainShapes.Parser parser = injector.getInstance(PlainShapes.Parser.class);
        catchThrowable(() -> parser.map("1"));
        assertThat(parser.body.calls()).isEqualTo(3);
    }

    @Test
    void anInterfaceExtendingAGenericInterfaceKeepsItsPolicy() {
        PlainShapes.ViaStringHandler handler = injector.getInstance(PlainShapes.ViaStringHandler.class);
        catchThrowable(() -> handler.handle("e"));
        assertThat(handler.body.calls()).isEqualTo(3);
    }

    @Test
    void anAnnotatedDefaultMethodIsRetried() {
        PlainShapes.UsesDefault uses = injector.getInstance(PlainShapes.UsesDefault.class);
        catchThrowable(() -> uses.call("p"));
        assertThat(uses.body().calls()).isEqualTo(3);
    }

    @Test
    void anAnnotatedInterfaceListedAfterAnUnannotatedOneGivesTheMethodItsPolicyAndNameAsWrapDoes() {
        PlainShapes.CompleterFirst primary = injector.getInstance(PlainShapes.CompleterFirst.class);
        assertThat(primary.chat("hi")).isEqualTo("backup: hi");
        assertThat(primary.body.calls()).isEqualTo(3);
        assertThat(events.stream().map(ReboundEvent::method).distinct()).containsExactly("Chat.chat(String)");

        events.clear();
        PlainShapes.AskCompleterFirst ask = injector.getInstance(PlainShapes.AskCompleterFirst.class);
        assertThat(catchThrowable(() -> ask.chat("hi"))).hasMessage("down");
        assertThat(ask.body.calls()).isEqualTo(3);
        assertThat(events.stream().map(ReboundEvent::method).distinct()).containsExactly("Ask.chat(String)");

        events.clear(); // Rebound.wrap, over either interface, reads the same
        PlainShapes.CompleterFirst wrapped = new PlainShapes.CompleterFirst();
        assertThat(Rebound.wrap(PlainShapes.Completer.class, wrapped).build().chat("hi")).isEqualTo("backup: hi");
        assertThat(wrapped.body.calls()).isEqualTo(3);
        assertThat(events.stream().map(ReboundEvent::method).distinct()).containsExactly("Chat.chat(String)");
    }
}
