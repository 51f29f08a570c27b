package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import dev.rebound.weaver.processor.ReboundProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
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

    /**
     * {@code method("ping")} on Chat's wrapper over a target whose every call throws {@code failure}: what the
     * caller gets, and whether through the generated class.
     */
    private static Outcome callFailing(ClassLoader loader, String method, Throwable failure, AtomicInteger calls)
            throws Exception {
        Class<?> chat = loader.loadClass("app.Chat");
        Object target = Proxy.newProxyInstance(loader, new Class<?>[] {chat}, (p, m, a) -> {
            calls.incrementAndGet();
            throw failure;
        });
        Object wrapper = wrap(loader, target);
        try {
            chat.getMethod(method, String.class).invoke(wrapper, "ping");
            return new Outcome(null, Rebound.isGenerated(wrapper));
        } catch (InvocationTargetException e) {
            return new Outcome(e.getCause(), Rebound.isGenerated(wrapper));
        }
    }

    private record Outcome(Throwable thrown, boolean generated) {
    }

    @Test
    void aDeclaredCheckedExceptionAddedInAnIncrementalBuildReachesTheCallerAsItIs() throws Exception {
        Javac javac = new Javac(dir);
        Path out = dir.resolve("out");
        String v1 = """
                package app;

                public interface Chat {
                    @dev.rebound.annotations.Retry(attempts = 3, delay = 0)
                    String chat(String prompt);
                }
                """;
        assertThat(javac.compileAgainst("out", "Chat", v1, out)).isEmpty();
        // the method now declares IOException, and only its file is compiled again, the last build's
        // classes on the class path (an IDE, Maven with useIncrementalCompilation=false)
        assertThat(javac.compileAgainst("out", "Chat", v1.replace("String prompt);",
                "String prompt) throws java.io.IOException;"), out)).isEmpty();
        ClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader());
        IOException down = new IOException("down");
        AtomicInteger calls = new AtomicInteger();

        Outcome outcome = callFailing(loader, "chat", down, calls);

        assertThat(calls).hasValue(3);
        assertThat(outcome.thrown()).isSameAs(down);
        // through the class generated again, which declares it
        assertThat(outcome.generated()).isTrue();
        assertThat(Files.readString(out.resolve("app/Chat$$Rebound.java")))
                .contains("METHODS = {\"chat(Ljava/lang/String;)Ljava/lang/String;^Ljava/io/IOException;\"}");
    }

    @Test
    void aLibraryJarsNewThrowsClauseReachesTheCallerOfAnAppWrapperCompiledAgainstTheOldOne() throws Exception {
        Javac javac = new Javac(dir);
        Path lib = dir.resolve("lib");
        String base = "package lib;\n\npublic interface Base {\n    String ask(String prompt)%s;\n}\n";
        javac.loadFrom("lib", "Base", base.formatted(""), false);
        assertThat(javac.compileAgainst("app", "Chat", """
                package app;

                @dev.rebound.annotations.Retry(attempts = 3, delay = 0)
                public interface Chat extends lib.Base {
                }
                """, lib)).isEmpty();
        assertThat(dir.resolve("app/app/Chat$$Rebound.class")).exists();
        // lib 1.1: ask declares IOException (binary compatible); the app is not compiled again
        javac.loadFrom("lib", "Base", base.formatted(" throws java.io.IOException"), false);
        ClassLoader loader = new URLClassLoader(new URL[] {lib.toUri().toURL(), dir.resolve("app").toUri().toURL()},
                getClass().getClassLoader());
        IOException down = new IOException("down");
        AtomicInteger calls = new AtomicInteger();

        Outcome outcome = callFailing(loader, "ask", down, calls);

        assertThat(calls).hasValue(3);
        assertThat(outcome.thrown()).isSameAs(down);
        // the app's class lists ask without the exception: not used; the proxy lets it through as declared
        assertThat(outcome.generated()).isFalse();
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
                + " shape (private or local; a type-use annotation, a type the class cannot name or a"
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
    void generateWrapperOnASealedInterfaceIsACompileErrorInTheWordsWrapRefusesItIn() throws Exception {
        List<String> errors = new Javac(dir).errors("Sealed", """
                package app;

                @dev.rebound.annotations.GenerateWrapper
                public sealed interface Sealed permits Sealed.Impl {
                    String chat(String prompt);

                    final class Impl implements Sealed {
                        public String chat(String prompt) {
                            return prompt;
                        }
                    }
                }
                """);

        // Rebound.wrap(Sealed.class, ...) throws IllegalArgumentException("Rebound.wrap: type app.Sealed ...")
        assertThat(errors).containsExactly("Rebound: @GenerateWrapper on Sealed: type app.Sealed is sealed: only the"
                + " classes it permits may implement it, so no wrapper can; wrap an interface that is not sealed, or"
                + " weave the permitted classes (AspectJ)");
    }

    /** Generates one source file in the first round, as a code generator (Immutables, AutoValue) would. */
    static final class GeneratesInTheFirstRound extends AbstractProcessor {
        private final String name;
        private final String source;
        private boolean done;

        GeneratesInTheFirstRound(String name, String source) {
            this.name = name;
            this.source = source;
        }

        @Override
        public Set<String> getSupportedAnnotationTypes() {
            return Set.of("*");
        }

        @Override
        public SourceVersion getSupportedSourceVersion() {
            return SourceVersion.latestSupported();
        }

        @Override
        public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
            if (!done) {
                done = true;
                try (Writer w = processingEnv.getFiler().createSourceFile(name).openWriter()) {
                    w.write(source);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return false;
        }
    }

    /** javac's diagnostics for {@code chat}, run with {@code other} before the weaver's processor. */
    private List<String> compileWith(AbstractProcessor other, String chat) throws IOException {
        Path file = Files.writeString(dir.resolve("Chat.java"), chat);
        Path out = Files.createDirectories(dir.resolve("out"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            JavaCompiler.CompilationTask task = javac.getTask(null, files, diagnostics, List.of("--release", "17",
                    "-classpath", Javac.CLASSPATH, "-d", out.toString(), "-s", out.toString()), null,
                    files.getJavaFileObjects(file));
            task.setProcessors(List.of(other, new ReboundProcessor()));
            task.call();
        }
        return diagnostics.getDiagnostics().stream().map(d -> d.getKind() + ": " + d.getMessage(Locale.ROOT)).toList();
    }

    @Test
    void aFallbackClassAnotherProcessorGeneratesCompilesAndIsChecked() throws Exception {
        String chat = """
                package app;

                public interface Chat {
                    @dev.rebound.annotations.Retry(attempts = 2, delay = 0)
                    @dev.rebound.annotations.Fallback(to = Backup.class)
                    String chat(String prompt);
                }
                """;
        String backup = "package app;\n\npublic class Backup implements Chat {\n    public String chat(String p) {\n"
                + "        return \"backup\";\n    }\n}\n";

        assertThat(compileWith(new GeneratesInTheFirstRound("app.Backup", backup), chat)).isEmpty();
        assertThat(dir.resolve("out/app/Chat$$Rebound.class")).exists();
        // checked once it exists: the processor's own error when it does not implement Chat
        assertThat(compileWith(new GeneratesInTheFirstRound("app.Backup", backup.replace(" implements Chat", "")),
                chat)).containsExactly("ERROR: Chat.chat(String): @Fallback.to app.Backup does not implement app.Chat");
    }

    @Test
    void aParameterTypeAnotherProcessorGeneratesCompilesAndGetsItsClass() throws Exception {
        List<String> diagnostics = compileWith(new GeneratesInTheFirstRound("app.Request",
                "package app;\n\npublic class Request {\n}\n"), """
                package app;

                public interface Chat {
                    @dev.rebound.annotations.Retry(attempts = 2, delay = 0)
                    String chat(Request request);
                }
                """);

        assertThat(diagnostics).isEmpty();
        assertThat(Files.readString(dir.resolve("out/app/Chat$$Rebound.java")))
                .contains("METHODS = {\"chat(Lapp/Request;)Ljava/lang/String;\"}");
    }

    @Test
    void anApiModuleWithTheAnnotationsOnlyCompilesWithTheProcessorOnItsProcessorPathAndSaysWhyNoClass()
            throws Exception {
        // rebound-annotations is the module's one dependency; rebound-weaver (and so the runtime) is on its
        // processor path, as configuration-errors.md says to list it for the checks to run
        Path file = Files.writeString(dir.resolve("Chat.java"), """
                package api;

                public interface Chat {
                    @dev.rebound.annotations.Retry(attempts = 3)
                    String chat(String prompt);

                    @dev.rebound.annotations.GenerateWrapper
                    interface Asked {
                        String ask(String prompt);
                    }

                    @dev.rebound.annotations.Retry(attempts = 0)
                    String bad(String prompt);
                }
                """);
        Path out = Files.createDirectories(dir.resolve("out"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            javac.getTask(null, files, diagnostics, List.of("--release", "17", "-classpath",
                    Javac.location(dev.rebound.annotations.Retry.class), "-processorpath", Javac.CLASSPATH, "-d",
                    out.toString(), "-s", out.toString()), null, files.getJavaFileObjects(file)).call();
        }

        assertThat(diagnostics.getDiagnostics().stream().map(d -> d.getKind() + ": " + d.getMessage(Locale.ROOT)))
                .containsExactly("ERROR: Chat.bad(String): @Retry.attempts = 0 is outside 1..100", // the checks ran
                        "NOTE: Rebound: rebound-runtime is not on the compile class path (no"
                                + " dev.rebound.runtime.spi.GeneratedWrapper), so no class is generated for Chat nor"
                                + " another interface of this compilation: Rebound.wrap will use a JDK proxy, with"
                                + " the same policy (the checks ran); add dev.rebound:rebound-runtime to the"
                                + " dependencies to generate it",
                        "WARNING: Rebound: @GenerateWrapper on Asked, but rebound-runtime is not on the compile class"
                                + " path (no dev.rebound.runtime.spi.GeneratedWrapper): no class is generated, and"
                                + " Rebound.wrap(Asked) will use a JDK proxy; add dev.rebound:rebound-runtime to the"
                                + " dependencies to generate it");
        assertThat(out.resolve("api/Chat$$Rebound.java")).doesNotExist();
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
                + " shape (private or local; a type-use annotation, a type the class cannot name or a"
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

    /**
     * troubleshooting.md: under {@code -Xlint:all -Werror} javac's processing lint fails a build that has the
     * weaver's processor (it claims no annotation, so later processors see them too); leaving that one lint
     * out builds it, the generated classes included whatever the interface's shapes: a parameter and a
     * result of type {@code Object} or of a type variable erased to it (no redundant cast), a generic
     * method, a deprecated method the class overrides and calls.
     */
    @Test
    void underXlintAllAndWerrorTheProcessingLintIsTheOneToLeaveOut() throws Exception {
        String chat = """
                package app;

                public interface Chat<T> {
                    @dev.rebound.annotations.Retry(attempts = 2)
                    String chat(String prompt);

                    @dev.rebound.annotations.Retry(attempts = 3, delay = 0)
                    Object echo(Object message);

                    @dev.rebound.annotations.Retry(attempts = 3, delay = 0)
                    T handle(T input);

                    @dev.rebound.annotations.Retry(attempts = 3, delay = 0)
                    <U> U pass(U input, Object[] more, Object... rest);

                    Object plain(Object message);

                    @Deprecated
                    @dev.rebound.annotations.Retry(attempts = 2)
                    String old(String prompt);

                    @Deprecated(forRemoval = true)
                    String gone(String prompt);
                }
                """;
        // the user's own code is clean under these flags
        assertThat(new Javac(Files.createDirectories(dir.resolve("plain"))).diagnosticsWith("Chat", chat,
                "-Xlint:all,-processing", "-Werror", "-proc:none")).isEmpty();

        List<String> strict = new Javac(Files.createDirectories(dir.resolve("strict"))).diagnosticsWith("Chat", chat, "-Xlint:all", "-Werror");
        List<String> lessProcessing = new Javac(Files.createDirectories(dir.resolve("less"))).diagnosticsWith("Chat", chat,
                "-Xlint:all,-processing", "-Werror");

        assertThat(strict).anyMatch(m -> m.contains("No processor claimed any of these annotations"))
                .anyMatch(m -> m.contains("warnings found and -Werror specified"));
        assertThat(lessProcessing).isEmpty();
        assertThat(dir.resolve("less/lint/app/Chat$$Rebound.class")).exists();
    }

    /**
     * {@code <E extends Object & Comparable<? super E>>} (the JDK's {@code Collections.max}) erases to
     * {@code Object}: the generated method keeps {@code Object} in its bounds, so that it implements the
     * interface's (without it, it erases to {@code Comparable} and the user's build fails in a file they never
     * wrote); the generated class is used, and retries.
     */
    @Test
    void aMethodTypeVariableBoundedByObjectAndAnInterfaceGetsItsClassAndItsPolicy() throws Exception {
        String sorter = """
                package app;

                public interface Sorter {
                    @dev.rebound.annotations.Retry(attempts = 3, delay = 0)
                    <E extends Object & Comparable<? super E>> E max(java.util.Collection<? extends E> items);

                    final class Flaky implements Sorter {
                        public int calls;

                        @Override
                        public <E extends Object & Comparable<? super E>> E max(java.util.Collection<? extends E> items) {
                            if (++calls < 3) {
                                throw new IllegalStateException("down " + calls);
                            }
                            return java.util.Collections.max(items);
                        }
                    }
                }
                """;
        assertThat(new Javac(Files.createDirectories(dir.resolve("errors"))).errors("Sorter", sorter)).isEmpty();
        ClassLoader loader = new Javac(dir).loadFrom("out", "Sorter", sorter, true);
        Object target = loader.loadClass("app.Sorter$Flaky").getConstructor().newInstance();

        Object wrapper = wrapAs(loader, "app.Sorter", target);

        assertThat(Rebound.isGenerated(wrapper)).isTrue();
        assertThat(loader.loadClass("app.Sorter").getMethod("max", java.util.Collection.class)
                .invoke(wrapper, List.of("b", "c", "a"))).isEqualTo("c");
        assertThat(calls(target)).isEqualTo(3);
    }

    /**
     * A generic method inherited through a sub-interface whose own type variable has the method's type
     * variable's name ({@code <U> T convert(U)} of {@code Base<T>} in {@code Sub<U> extends Base<U>}): the
     * generated class, which declares the interface's {@code U}, writes the method's as {@code U$1}, and as
     * {@code U$2} where the interface has a {@code U$1} too; both classes compile, are used and retry.
     */
    @Test
    void aMethodTypeVariableNamedLikeTheSubInterfacesTypeVariableGetsItsClassAndItsPolicy() throws Exception {
        String conv = """
                package app;

                public interface Conv {
                    interface Base<T> {
                        @dev.rebound.annotations.Retry(attempts = 3, delay = 0)
                        <U> T convert(U input);
                    }

                    interface Sub<U> extends Base<U> {
                    }

                    interface Both<U, U$1> extends Base<java.util.List<U$1>> {
                    }

                    final class Flaky implements Sub<String> {
                        public int calls;

                        @Override
                        public <U> String convert(U input) {
                            if (++calls < 3) {
                                throw new IllegalStateException("down " + calls);
                            }
                            return "converted " + input;
                        }
                    }
                }
                """;
        assertThat(new Javac(Files.createDirectories(dir.resolve("errors"))).errors("Conv", conv)).isEmpty();
        ClassLoader loader = new Javac(dir).loadFrom("out", "Conv", conv, true);
        assertThat(Files.readString(dir.resolve("out/app/Conv$Sub$$Rebound.java")))
                .contains("public <U$1> U convert(U$1 a0)");
        assertThat(Files.readString(dir.resolve("out/app/Conv$Both$$Rebound.java")))
                .contains("public <U$2> java.util.List<U$1> convert(U$2 a0)");
        Object target = loader.loadClass("app.Conv$Flaky").getConstructor().newInstance();

        Object wrapper = wrapAs(loader, "app.Conv$Sub", target);

        assertThat(Rebound.isGenerated(wrapper)).isTrue();
        assertThat(loader.loadClass("app.Conv$Base").getMethod("convert", Object.class).invoke(wrapper, 7))
                .isEqualTo("converted 7");
        assertThat(calls(target)).isEqualTo(3);
    }

    /**
     * A member class of a member class of a generic class ({@code Outer<U>.Mid.Inner}): its outer type
     * arguments are written however deep they are ({@code Mid} has none of its own); written raw, a generic
     * method's parameter made the generated method no override, and the user's valid interface no build.
     */
    @Test
    void aMemberClassNestedTwiceInAGenericClassKeepsItsOuterTypeArguments() throws Exception {
        String shapes = """
                package app;

                public interface Shapes {
                    class Outer<A> {
                        public class Mid {
                            public class Inner {
                            }
                        }
                    }

                    @dev.rebound.annotations.Retry(attempts = 3, delay = 0)
                    <U> String nested(Outer<U>.Mid.Inner x);

                    @dev.rebound.annotations.Retry(attempts = 3, delay = 0)
                    String plain(Outer<String>.Mid.Inner x);
                }
                """;
        new Javac(dir).loadFrom("plain", "Shapes", shapes, false); // the interface alone compiles

        assertThat(new Javac(Files.createDirectories(dir.resolve("errors"))).errors("Shapes", shapes)).isEmpty();
        new Javac(dir).loadFrom("out", "Shapes", shapes, true);
        assertThat(Files.readString(dir.resolve("out/app/Shapes$$Rebound.java")))
                .contains("app.Shapes.Outer<U>.Mid.Inner a0").contains("app.Shapes.Outer<java.lang.String>.Mid.Inner a0");
    }

    @SuppressWarnings("unchecked")
    private static Object wrapAs(ClassLoader loader, String type, Object target) throws Exception {
        return Rebound.wrap((Class<Object>) loader.loadClass(type), target).settings(ReboundSettings.builder()
                .timeSource(new VirtualTimeSource()).logging(false).build()).build();
    }
}
