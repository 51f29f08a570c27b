package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which class {@code Rebound.wrap} uses, for an interface compiled by javac as a user's build compiles
 * it: the one the weaver's annotation processor generated; a JDK proxy when there is none, or when the
 * one there was generated from another version of the interface. The policy applies either way.
 */
class GeneratedWrapperBuildTest {

    @TempDir
    Path dir;

    /** An interface with a policy, and a target that fails its first {@code failures} calls. */
    private static String source(String extraMethod) {
        return """
                package app;

                public interface Chat {
                    @dev.rebound.annotations.Retry(attempts = 3, delay = 0)
                    String chat(String prompt);

                    %s

                    final class Flaky implements Chat {
                        public int calls;
                        private final int failures;

                        public Flaky(int failures) {
                            this.failures = failures;
                        }

                        @Override
                        public String chat(String prompt) {
                            if (++calls <= failures) {
                                throw new IllegalStateException("down " + calls);
                            }
                            return "answer to " + prompt;
                        }
                    }
                }
                """.formatted(extraMethod);
    }

    @SuppressWarnings("unchecked")
    private static Object wrap(ClassLoader loader, Object target) throws Exception {
        Class<Object> type = (Class<Object>) loader.loadClass("app.Chat");
        return Rebound.wrap(type, target).settings(ReboundSettings.builder()
                .timeSource(new VirtualTimeSource()).logging(false).build()).build();
    }

    /** {@code chat("ping")} on {@code wrapper}, whose type this test only knows by reflection. */
    private static Object chat(Object wrapper) throws Exception {
        return wrapper.getClass().getClassLoader().loadClass("app.Chat").getMethod("chat", String.class)
                .invoke(wrapper, "ping");
    }

    private static Object flaky(ClassLoader loader, int failures) throws Exception {
        return loader.loadClass("app.Chat$Flaky").getConstructor(int.class).newInstance(failures);
    }

    private static int calls(Object flaky) throws Exception {
        return flaky.getClass().getField("calls").getInt(flaky);
    }

    @Test
    void theProcessorsClassIsUsedAndAppliesThePolicy() throws Exception {
        ClassLoader loader = new Javac(dir).loadFrom("out", "Chat", source(""), true);
        assertThat(Files.readString(dir.resolve("out/app/Chat$$Rebound.java"))).contains("implements app.Chat {");
        Object target = flaky(loader, 2);

        Object chat = wrap(loader, target);

        assertThat(chat.getClass().getName()).isEqualTo("app.Chat$$Rebound");
        assertThat(Rebound.isGenerated(chat)).isTrue();
        assertThat(chat(chat)).isEqualTo("answer to ping");
        assertThat(calls(target)).isEqualTo(3);
    }

    @Test
    void withoutTheProcessorAJdkProxyAppliesThePolicy() throws Exception {
        ClassLoader loader = new Javac(dir).loadFrom("out", "Chat", source(""), false);
        assertThat(dir.resolve("out/app/Chat$$Rebound.class")).doesNotExist();
        assertTheProxyAppliesThePolicy(loader);
    }

    @Test
    void aClassGeneratedFromAnotherVersionOfTheInterfaceIsNotUsed() throws Exception {
        Javac javac = new Javac(dir);
        javac.loadFrom("out", "Chat", source(""), true);
        // the interface changes and is compiled again without the processor: the old class stays behind
        ClassLoader loader = javac.loadFrom("out", "Chat", source("default String extra() { return \"x\"; }"),
                false);
        assertThat(dir.resolve("out/app/Chat$$Rebound.class")).exists();
        assertTheProxyAppliesThePolicy(loader);
    }

    @Test
    void aSealedInterfaceGetsNoClassStillCompilesWithTheProcessorAndIsRefusedByWrap() throws Exception {
        // only the types a sealed interface permits may implement it: a generated class would not compile
        String sealed = source("").replace("public interface Chat {", "public sealed interface Chat permits Chat.Flaky {");

        ClassLoader loader = new Javac(dir).loadFrom("out", "Chat", sealed, true);

        assertThat(loader.loadClass("app.Chat").isSealed()).isTrue();
        assertThat(dir.resolve("out/app/Chat$$Rebound.java")).doesNotExist();
        // nor may a JDK proxy: Rebound.wrap says so, naming the type and the ways out
        Object target = flaky(loader, 2);
        assertThatThrownBy(() -> wrap(loader, target)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Rebound.wrap: type app.Chat is sealed: only the classes it permits may implement it,"
                        + " so no wrapper can; wrap an interface that is not sealed, or weave the permitted classes"
                        + " (AspectJ)");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Chat NONE = prompt -> \"none\";", // GeneratedWrapper's NONE too
        "enum Class { SPAM, HAM }\n    default Class classify(String text) { return Class.HAM; }",
        "interface Object { }\n    interface Throwable { }\n    @interface Override { }",
        "String app = \"\", java = \"\";"}) // only in type contexts, where a variable hides no package
    void namesTheInterfaceDeclaresDoNotHideTheGeneratedClasssOwn(String members) throws Exception {
        ClassLoader loader = new Javac(dir).loadFrom("out", "Chat", source(members), true);
        Object target = flaky(loader, 2);

        Object chat = wrap(loader, target);

        assertThat(chat.getClass().getName()).isEqualTo("app.Chat$$Rebound");
        assertThat(chat(chat)).isEqualTo("answer to ping");
        assertThat(calls(target)).isEqualTo(3);
    }

    @Test
    void anInterfaceTypeVariableNamedStringDoesNotHideTheGeneratedClasssStrings() throws Exception {
        List<String> errors = new Javac(dir).errors("Echo", """
                package app;

                public interface Echo<String> {
                    @dev.rebound.annotations.Retry(attempts = 3)
                    String echo(String prompt);
                }
                """);

        assertThat(errors).isEmpty();
        assertThat(dir.resolve("javac/app/Echo$$Rebound.java")).exists();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "int dev = 1;", // dev.rebound.runtime.spi.GeneratedWrapper would mean this int
        "final class java { }", // java.lang.String this class
        "final class app { }", // app.Chat, the interface's own package
        "default <dev> dev echo(dev prompt) { return prompt; }",
        "default RuntimeException rethrow(Throwable failure, Class<?>[] declared) { return null; }"})
    void aMemberNamedLikeANameTheGeneratedClassNeedsGetsNoClassAndTheProxy(String member) throws Exception {
        ClassLoader loader = new Javac(dir).loadFrom("out", "Chat", source(member), true);
        assertThat(dir.resolve("out/app/Chat$$Rebound.java")).doesNotExist();
        assertTheProxyAppliesThePolicy(loader);
    }

    @ParameterizedTest
    @ValueSource(strings = {"String call(Request request);", "java.util.List<? extends Request> call(String prompt);",
        "String call(String prompt) throws Busy;"})
    void aMethodNamingAPrivateTypeOfTheEnclosingClassGetsNoClassAndStillCompiles(String method) throws Exception {
        String service = """
                package app;

                public class Service {
                    private record Request(String prompt) {
                    }

                    private static final class Busy extends Exception {
                    }

                    interface Backend {
                        @dev.rebound.annotations.Retry(attempts = 3)
                        %s
                    }
                }
                """.formatted(method);

        assertThat(new Javac(dir).errors("Service", service)).isEmpty();
        assertThat(dir.resolve("javac/app/Service$Backend$$Rebound.java")).doesNotExist();
        // the same method with the types package-private: the class is generated
        assertThat(new Javac(dir).errors("Service", service.replace("private record", "record")
                .replace("private static final class", "static final class"))).isEmpty();
        assertThat(dir.resolve("javac/app/Service$Backend$$Rebound.java")).exists();
    }

    @Test
    void generateWrapperOnAnInterfaceWithAMemberNamedDevIsACompileWarning() throws Exception {
        List<String> warnings = new Javac(dir).warnings("Chat", """
                package app;

                @dev.rebound.annotations.GenerateWrapper
                public interface Chat {
                    int dev = 1;

                    String chat(String prompt);
                }
                """);

        assertThat(warnings).contains("Rebound: @GenerateWrapper on Chat, but no class can be generated for its"
                + " shape (sealed, private or local; a type-use annotation, a type the class cannot name or a"
                + " narrower-erasure redeclaration in its methods; a member named like a name the class uses, such"
                + " as dev, java or rethrow): Rebound.wrap(Chat) will use a JDK proxy");
    }

    @Test
    void generateWrapperOnAClassIsACompileError() throws Exception {
        List<String> errors = new Javac(dir).errors("Impl", """
                package app;

                @dev.rebound.annotations.GenerateWrapper
                public class Impl {
                    public String chat(String prompt) {
                        return prompt;
                    }
                }
                """);

        assertThat(errors).containsExactly("Rebound: @GenerateWrapper applies to interfaces only (Rebound.wrap wraps"
                + " an interface); Impl is a class");
    }

    @Test
    void generateWrapperOnAShapeThatGetsNoClassIsACompileWarning() throws Exception {
        List<String> warnings = new Javac(dir).warnings("Outer", """
                package app;

                public class Outer {
                    @dev.rebound.annotations.GenerateWrapper
                    private interface Hidden {
                        String chat(String prompt);
                    }
                }
                """);

        assertThat(warnings).contains("Rebound: @GenerateWrapper on Hidden, but no class can be generated for its"
                + " shape (sealed, private or local; a type-use annotation, a type the class cannot name or a"
                + " narrower-erasure redeclaration in its methods; a member named like a name the class uses, such"
                + " as dev, java or rethrow): Rebound.wrap(Hidden) will use a JDK proxy");
    }

    /** {@code Rebound.wrap} makes a JDK proxy, and its retry runs: a target failing twice answers on attempt 3. */
    private static void assertTheProxyAppliesThePolicy(ClassLoader loader) throws Exception {
        Object target = flaky(loader, 2);

        Object chat = wrap(loader, target);

        assertThat(Rebound.isGenerated(chat)).isFalse();
        assertThat(Proxy.isProxyClass(chat.getClass())).isTrue();
        assertThat(chat(chat)).isEqualTo("answer to ping");
        assertThat(calls(target)).isEqualTo(3);
    }
}
