package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.woven.shapes.AbstractNoPolicy;
import dev.rebound.it.woven.shapes.EnumShape;
import dev.rebound.it.woven.shapes.Failing;
import dev.rebound.it.woven.shapes.Flaky;
import dev.rebound.it.woven.shapes.InheritsFromConcrete;
import dev.rebound.it.woven.shapes.InterfaceNoPolicy;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.it.woven.shapes.NoPolicy;
import dev.rebound.it.woven.shapes.PublicShape;
import dev.rebound.it.woven.shapes.Shapes;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectStreamClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Classes woven by ajc as the README shows: every class shape gets its policy, exactly once. */
class ClassShapesTest extends VirtualTime {

    @TestFactory
    Stream<DynamicTest> everyClassShapeIsRetried() {
        return Shapes.all().entrySet().stream().map((Map.Entry<String, Supplier<Flaky>> shape) ->
                DynamicTest.dynamicTest(shape.getKey(), () -> {
                    Flaky flaky = shape.getValue().get();
                    Throwable thrown = catchThrowable(() -> flaky.call("p"));
                    assertThat(thrown).isInstanceOf(IllegalStateException.class);
                    assertThat(flaky.calls()).as(shape.getKey()).isEqualTo(3);
                }));
    }

    @Test
    void everyConstantOfAnEnumIsRetried() {
        for (EnumShape constant : EnumShape.values()) {
            int before = constant.calls();
            Throwable thrown = catchThrowable(() -> constant.call("p"));
            assertThat(thrown).isInstanceOf(IllegalStateException.class);
            assertThat(constant.calls() - before).as(constant.name()).isEqualTo(3);
        }
        assertThat(EnumShape.OWN_BODY.getClass()).isNotEqualTo(EnumShape.class);
    }

    @Test
    void aTypeVariableParameterKeepsItsPolicy() {
        Shapes.EventHandler handler = new Shapes.EventHandler();
        catchThrowable(() -> handler.handle("e"));
        assertThat(handler.body.calls()).isEqualTo(3);
    }

    @Test
    void aTypeVariableResultKeepsItsPolicy() {
        Shapes.StringSource source = new Shapes.StringSource();
        catchThrowable(source::get);
        assertThat(source.body.calls()).isEqualTo(3);
    }

    @Test
    void twoTypeParametersKeepTheirPolicy() {
        Shapes.Parser parser = new Shapes.Parser();
        catchThrowable(() -> parser.map("1"));
        assertThat(parser.body.calls()).isEqualTo(3);
    }

    @Test
    void anInterfaceExtendingAGenericInterfaceKeepsItsPolicy() {
        Shapes.ViaStringHandler handler = new Shapes.ViaStringHandler();
        catchThrowable(() -> handler.handle("e"));
        assertThat(handler.body.calls()).isEqualTo(3);
    }

    @Test
    void aGenericClassKeepsItsPolicy() {
        Shapes.Box<Integer> box = new Shapes.Box<>();
        catchThrowable(() -> box.handle(1));
        assertThat(box.body.calls()).isEqualTo(3);
    }

    @Test
    void callsThroughTheErasedBridgeAreRetriedOnce() {
        Shapes.Handler<String> handler = new Shapes.EventHandler();
        catchThrowable(() -> handler.handle("e")); // invokeinterface handle(Object): the bridge
        assertThat(((Shapes.EventHandler) handler).body.calls()).isEqualTo(3);
    }

    @Test
    void anAnnotatedDefaultMethodIsRetried() {
        Shapes.UsesDefault uses = new Shapes.UsesDefault();
        Failing body = uses.body();
        catchThrowable(() -> uses.call("p"));
        assertThat(body.calls()).isEqualTo(3);
    }

    @Test
    void oneBodyUnderTwoPoliciesIsNotANestedRetry() {
        String log = StdErr.during(() -> {
            catchThrowable(() -> new Shapes.PublicNested().call("p")); // Base.call under Flaky's policy
            Flaky sub = Shapes.all().get("implements a sub-interface").get(); // Base.call under ViaSubInterface's
            catchThrowable(() -> sub.call("p"));
            assertThat(sub.calls()).isEqualTo(3);
        });
        // the policy is Flaky's, where it is written, whichever interface the class implements it through
        assertThat(log).contains("Flaky.call(String): failed for good on ViaSubInterface")
                .doesNotContain("SubFlaky").doesNotContain("Nested retries");
    }

    @Test
    void anAnonymousClassIsNamedInTheLog() {
        String log = StdErr.during(() -> catchThrowable(() -> Shapes.all().get("anonymous").get().call("p")));
        assertThat(log).contains("failed for good on Shapes$1,");
    }

    /**
     * A user's class named like a container's generated subclass ({@code $$} in its binary name) is the user's own:
     * its policy applies and events name it, not the class above it (which carries no policy).
     */
    @Test
    void aClassNamedLikeAGeneratedSubclassKeepsItsPolicyAndItsName() {
        Flaky topLevel = new dev.rebound.it.woven.shapes.Dollar$$Shape();
        assertThat(catchThrowable(() -> topLevel.call("p"))).isInstanceOf(IllegalStateException.class);
        assertThat(topLevel.calls()).isEqualTo(3);
        assertThat(events).extracting(ReboundEvent::target).containsOnly("Dollar$$Shape");

        events.clear();
        Flaky nested = Shapes.all().get("nested, named with $ (binary name Shapes$$Nested)").get();
        assertThat(nested.getClass().getName()).endsWith("Shapes$$Nested");
        assertThat(catchThrowable(() -> nested.call("p"))).isInstanceOf(IllegalStateException.class);
        assertThat(nested.calls()).isEqualTo(3);
        assertThat(events).extracting(ReboundEvent::target).containsOnly("$Nested");
    }

    @Test
    void aPolicyOverAnUnwovenInheritedBodyFailsTheClassInitialisationNamingTheFix() {
        Throwable thrown = catchThrowable(InheritsFromConcrete::new);
        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(thrown.getCause()).isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("Flaky.call(String): InheritsFromConcrete runs ConcreteBase.call, which was "
                        + "not woven (ConcreteBase carries no policy and is not abstract), so its @Retry would not "
                        + "apply; override call in InheritsFromConcrete (calling super), or make ConcreteBase abstract");
    }

    @Test
    void anAnnotatedInterfaceListedAfterAnUnannotatedOneGivesTheMethodItsPolicyAndName() {
        Shapes.CompleterFirst primary = new Shapes.CompleterFirst(); // its initialisation resolves its policies
        assertThat(primary.chat("hi")).isEqualTo("backup: hi");
        assertThat(primary.body.calls()).isEqualTo(3);
        assertThat(events.stream().map(ReboundEvent::method).distinct()).containsExactly("Chat.chat(String)");

        events.clear();
        Shapes.AskCompleterFirst ask = new Shapes.AskCompleterFirst();
        assertThat(catchThrowable(() -> ask.chat("hi"))).hasMessage("down");
        assertThat(ask.body.calls()).isEqualTo(3);
        assertThat(events.stream().map(ReboundEvent::method).distinct()).containsExactly("Ask.chat(String)");
    }

    @Test
    void aClassWithoutAnyPolicyIsNotWoven() throws IOException {
        assertThat(NoPolicy.class.getInterfaces()).extracting(Class::getName)
                .containsExactly("java.io.Serializable");
        String classFile;
        try (InputStream in = NoPolicy.class.getResourceAsStream("NoPolicy.class")) {
            classFile = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertThat(classFile).doesNotContain("ajc$").doesNotContain("dev/rebound/weaver")
                .doesNotContain("org/aspectj");
    }

    @Test
    void aClassNestedInAnAbstractClassWithoutAnyPolicyIsNotWoven() throws IOException {
        for (String nested : new String[] {"AbstractNoPolicy$Note.class", "AbstractNoPolicy$1.class"}) {
            String classFile;
            try (InputStream in = AbstractNoPolicy.class.getResourceAsStream(nested)) {
                classFile = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
            assertThat(classFile).as(nested).doesNotContain("aroundBody").doesNotContain("ajc$")
                    .doesNotContain("org/aspectj").doesNotContain("dev/rebound/weaver");
        }
        assertThat(new AbstractNoPolicy.Note().echo("e")).isEqualTo("e");
    }

    @Test
    void aClassNestedInAnInterfaceWithoutAnyPolicyIsNotWoven() throws IOException {
        for (String nested : new String[] {"InterfaceNoPolicy$Note.class", "InterfaceNoPolicy$1.class"}) {
            String classFile;
            try (InputStream in = InterfaceNoPolicy.class.getResourceAsStream(nested)) {
                classFile = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
            assertThat(classFile).as(nested).doesNotContain("aroundBody").doesNotContain("ajc$")
                    .doesNotContain("org/aspectj").doesNotContain("dev/rebound/weaver");
        }
        assertThat(new InterfaceNoPolicy.Note().echo("e")).isEqualTo("e");
    }

    /**
     * What a changed class file costs a user: data serialised by the javac-built class no longer reads. Each
     * fixture's source compiled by javac alone, loaded apart from the test's classes, against the class this
     * module's ajc built: a class nested in an abstract class, and one nested in an interface.
     */
    @Test
    void ajcLeavesTheSerialVersionUidOfAClassWithoutAPolicyAsJavacComputesIt(@TempDir Path dir) throws Exception {
        for (Class<?> woven : new Class<?>[] {AbstractNoPolicy.Note.class, InterfaceNoPolicy.Note.class}) {
            String outer = woven.getEnclosingClass().getSimpleName();
            String source = Files.readString(Path.of(System.getProperty("basedir", "."))
                    .resolve("src/test/java/dev/rebound/it/woven/shapes/" + outer + ".java"));
            Class<?> plain = new Javac(Files.createDirectories(dir.resolve(outer))).loadAlone(outer, source)
                    .loadClass(woven.getName());
            assertThat(plain).isNotSameAs(woven);

            long javacUid = ObjectStreamClass.lookup(plain).getSerialVersionUID();
            long ajcUid = ObjectStreamClass.lookup(woven).getSerialVersionUID();

            assertThat(ajcUid).as("serialVersionUID of " + outer + "$Note, ajc against javac").isEqualTo(javacUid);
        }
    }

    @Test
    void aClassNestedInAWovenOneGetsOnlyTheHolderOfItsPerClassAspect() throws IOException {
        assertThat(PublicShape.Note.class.getInterfaces()).extracting(Class::getName)
                .containsExactly("java.io.Serializable");
        String classFile;
        try (InputStream in = PublicShape.class.getResourceAsStream("PublicShape$Note.class")) {
            classFile = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertThat(classFile).contains("ajc$dev_rebound_weaver_aspectj_ResilientClasses$ptwAspectInstance")
                .doesNotContain("aroundBody").doesNotContain("ajc$tjp").doesNotContain("dev/rebound/weaver/Woven");
        assertThat(new PublicShape.Note().echo("e")).isEqualTo("e");
    }
}
