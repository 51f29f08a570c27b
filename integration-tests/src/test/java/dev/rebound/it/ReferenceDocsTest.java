package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.metrics.MicrometerListener;
import dev.rebound.weaver.guice.ReboundModule;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/reference cannot drift from the code: every annotation attribute (with its type, default and
 * unit), every public builder method (with its default where the built value exposes it), every event
 * kind and every meter name is read by reflection and must be on its page, as written there; and every
 * configuration message a door reports is listed in configuration-errors.md.
 *
 * <p>Page format: a section {@code ## `@Retry`} (or {@code ## `RetryPolicy.builder()`}) holds a table
 * whose first cell names the attribute ({@code `attempts`}) or the method ({@code `attempts(int)`}).
 * Annotation rows: attribute | type | default | unit | meaning. Builder rows: method | default | meaning.
 */
class ReferenceDocsTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize()
            .getParent();
    private static final Path DOCS = ROOT.resolve("docs/reference");

    @Test
    void everyAnnotationAttributeIsDocumentedWithItsTypeDefaultAndUnit() throws Exception {
        String page = Files.readString(DOCS.resolve("annotations.md"));
        List<String> problems = new ArrayList<>();
        List<Class<?>> annotations = classesOf(Retry.class, "dev/rebound/annotations").stream()
                .filter(Class::isAnnotation).toList();
        assertThat(annotations).extracting(Class::getSimpleName)
                .contains("Retry", "Fallback", "CircuitBreaker", "NonIdempotent");
        for (Class<?> annotation : annotations) {
            String heading = "## `@" + annotation.getSimpleName() + "`";
            Map<String, List<String>> rows = rows(page, heading, problems);
            String source = Files.readString(ROOT.resolve("annotations/src/main/java")
                    .resolve(annotation.getName().replace('.', '/') + ".java"));
            List<String> attributes = new ArrayList<>();
            for (Method m : annotation.getDeclaredMethods()) {
                attributes.add(m.getName());
                String where = "@" + annotation.getSimpleName() + "." + m.getName();
                List<String> row = rows.get("`" + m.getName() + "`");
                if (row == null) {
                    problems.add(where + ": no row in " + heading);
                    continue;
                }
                if (row.size() < 5) {
                    problems.add(where + ": expected attribute | type | default | unit | meaning, was " + row);
                    continue;
                }
                expect(problems, where + " type", "`" + m.getReturnType().getSimpleName() + "`", row.get(1));
                expect(problems, where + " default", annotationDefault(m.getDefaultValue()), row.get(2));
                boolean inUnit = javadocOf(source, m.getName()).contains("in {@link #unit()}");
                if (inUnit != row.get(3).equals("`unit`")) {
                    problems.add(where + ": the unit column must be `unit` exactly when the attribute's Javadoc"
                            + " says \"in {@link #unit()}\", was '" + row.get(3) + "'");
                }
            }
            rows.keySet().stream().filter(name -> !attributes.contains(name.replace("`", "")))
                    .forEach(name -> problems.add(heading + ": documents " + name + ", which is not an attribute"));
        }
        assertThat(problems).as("docs/reference/annotations.md").isEmpty();
    }

    @Test
    void everyPublicBuilderMethodIsDocumentedWithItsDefault() throws Exception {
        String page = Files.readString(DOCS.resolve("builders.md"));
        List<String> problems = new ArrayList<>();
        Map<String, Class<?>> builders = new LinkedHashMap<>();
        Map<String, Object> defaults = new LinkedHashMap<>();
        for (Class<?> type : classesOf(Rebound.class, "dev/rebound/runtime")) {
            if (!Modifier.isPublic(type.getModifiers()) || type.getName().contains(".internal.")) {
                continue;
            }
            for (Method factory : type.getDeclaredMethods()) {
                if (Modifier.isStatic(factory.getModifiers()) && Modifier.isPublic(factory.getModifiers())
                        && factory.getReturnType().getSimpleName().equals("Builder")) {
                    String heading = "## `" + type.getSimpleName() + "." + factory.getName() + "(";
                    builders.put(heading, factory.getReturnType());
                    if (factory.getParameterCount() == 0) {
                        Object builder = factory.invoke(null);
                        try {
                            defaults.put(heading, builder.getClass().getMethod("build").invoke(builder));
                        } catch (java.lang.reflect.InvocationTargetException required) {
                            // a builder with a required attribute (RateLimitPolicy) has no default-built value
                        }
                    }
                }
            }
        }
        assertThat(builders.keySet()).contains("## `RetryPolicy.builder(", "## `CircuitBreakerPolicy.builder(",
                "## `ReboundSettings.builder(", "## `Rebound.wrap(");
        for (Map.Entry<String, Class<?>> builder : builders.entrySet()) {
            Map<String, List<String>> rows = rows(page, builder.getKey(), problems);
            Object built = defaults.get(builder.getKey());
            List<String> documented = new ArrayList<>();
            for (Method m : ownMethods(builder.getValue())) {
                if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic() || m.getName().equals("build")) {
                    continue;
                }
                String signature = "`" + signature(m) + "`";
                documented.add(signature);
                List<String> row = rows.get(signature);
                String where = builder.getKey().substring(3) + " " + signature;
                if (row == null) {
                    problems.add(where + ": no row");
                    continue;
                }
                String expected = built == null ? null : builtDefault(built, m.getName());
                if (expected != null) {
                    expect(problems, where + " default", expected, row.size() > 1 ? row.get(1) : "");
                }
            }
            rows.keySet().stream().filter(name -> !documented.contains(name))
                    .forEach(name -> problems.add(builder.getKey() + ": documents " + name + ", which is not a method"));
        }
        assertThat(problems).as("docs/reference/builders.md").isEmpty();
    }

    /**
     * The methods {@code builder} declares and those it inherits from non-public superclasses
     * ({@code RetryPolicy.Builder}'s setters are declared by the package-private
     * {@code RetryPolicyAttributes}): every method a user can call on it.
     */
    private static List<Method> ownMethods(Class<?> builder) {
        List<Method> methods = new ArrayList<>(List.of(builder.getDeclaredMethods()));
        for (Class<?> c = builder.getSuperclass(); c != null && !Modifier.isPublic(c.getModifiers());
                c = c.getSuperclass()) {
            methods.addAll(List.of(c.getDeclaredMethods()));
        }
        return methods;
    }

    @Test
    void everyEventKindAndMeterIsDocumented() throws IOException, IllegalAccessException {
        String events = Files.readString(DOCS.resolve("events.md"));
        for (ReboundEvent.Kind kind : ReboundEvent.Kind.values()) {
            assertThat(events).as("events.md names " + kind).contains("`" + kind.name() + "`");
        }
        String metrics = Files.readString(DOCS.resolve("metrics.md"));
        for (Field f : MicrometerListener.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                assertThat(metrics).as("metrics.md names " + f.getName()).contains("`" + f.get(null) + "`");
            }
        }
    }

    public static class FinalMethod {
        @Retry(attempts = 2, delay = 0)
        public final String call() {
            return "";
        }
    }

    public static final class ThrowingPredicate implements java.util.function.Predicate<Object> {
        public ThrowingPredicate() {
            throw new IllegalStateException("boom");
        }

        @Override
        public boolean test(Object o) {
            return false;
        }
    }

    public interface Judged {
        @Retry(attempts = 2, onResult = ThrowingPredicate.class)
        String chat(String p);
    }

    public interface NoMethods {
    }

    public interface TokenSink extends dev.langchain4j.model.chat.response.StreamingChatResponseHandler {
    }

    public interface SinkStream {
        void stream(String p, TokenSink sink);
    }

    public interface AnswerStream {
        java.util.concurrent.CompletableFuture<String> answer(String p,
                dev.langchain4j.model.chat.response.StreamingChatResponseHandler h);
    }

    @SuppressWarnings("rebound") // the processor refuses it too: this is the runtime's refusal
    public interface TextOnly {
        @Retry(onResult = dev.rebound.runtime.langchain4j.ChatResults.Truncated.class)
        String chat(String p);
    }

    @SuppressWarnings("rebound") // the processor refuses it too: this is the runtime's refusal
    public interface TextLater {
        @Retry(onResult = dev.rebound.runtime.langchain4j.ChatResults.Truncated.class)
        java.util.concurrent.CompletableFuture<String> chatLater(String p);
    }

    public sealed interface SealedChat permits SealedImpl {
        @Retry(attempts = 2)
        String chat(String p);
    }

    public static final class SealedImpl implements SealedChat {
        @Override
        public String chat(String p) {
            return p;
        }
    }

    /**
     * configuration-errors.md lists every message: each door's message below, produced here, carries
     * words the page shows. (Two it lists are proven elsewhere: a class woven without the per-class
     * aspect by {@code MissingAspectTest} in integration-tests-ltw; Bucket4j missing cannot be produced
     * in a build that has it.)
     */
    @Test
    void everyConfigurationErrorADoorReportsIsListedInTheConfigurationErrorsReference() throws IOException {
        String page = Files.readString(DOCS.resolve("configuration-errors.md"));
        ReboundSettings quiet = ReboundSettings.builder().logging(false).build();
        Map<String, Throwable> produced = new LinkedHashMap<>();
        produced.put("apply to non-final methods only under Guice: the method is final in ",
                catchThrowable(() -> Guice.createInjector(new ReboundModule(), new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(FinalMethod.class);
                    }
                })));
        produced.put(" cannot be provided: constructor of ",
                catchThrowable(() -> Rebound.wrap(Judged.class, p -> p).settings(quiet).build()));
        produced.put(" judges a dev.langchain4j.model.chat.response.ChatResponse or a dev.langchain4j.service.Result,"
                + " which a method returning java.lang.String never returns: it would never reject a result",
                catchThrowable(() -> Rebound.wrap(TextOnly.class, p -> p).settings(quiet).build()));
        produced.put(" judges a dev.langchain4j.model.chat.response.ChatResponse or a dev.langchain4j.service.Result,"
                + " which a method returning java.util.concurrent.CompletableFuture<java.lang.String> never completes with: it would never"
                + " reject a result", catchThrowable(() -> Rebound.wrap(TextLater.class,
                        java.util.concurrent.CompletableFuture::completedFuture).settings(quiet).build()));
        produced.put(": it declares no method a wrapper intercepts (Object's methods go straight to the target)",
                catchThrowable(() -> Rebound.wrap(NoMethods.class, new NoMethods() { }).settings(quiet)
                        .withRetry(RetryPolicy.builder().build()).build()));
        produced.put(" is a subtype of StreamingChatResponseHandler; a streamed call's policies hand the target a"
                + " StreamingChatResponseHandler of their own for each attempt",
                catchThrowable(() -> Rebound.wrap(SinkStream.class, (p, sink) -> { }).settings(quiet)
                        .withRetry(RetryPolicy.builder().build()).build()));
        produced.put(" cannot act on a method that takes a StreamingChatResponseHandler and returns CompletableFuture: it"
                + " would run the method again after the handler had the failed attempt's tokens",
                catchThrowable(() -> Rebound.wrap(AnswerStream.class,
                        (p, h) -> java.util.concurrent.CompletableFuture.completedFuture(p)).settings(quiet)
                        .withRetry(RetryPolicy.builder().build()).build()));
        produced.put(" is sealed: only the classes it permits may implement it, so no wrapper can; wrap an interface"
                + " that is not sealed, or weave the permitted classes (AspectJ)",
                catchThrowable(() -> Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(SealedChat.class).toInstance(new SealedImpl());
                    }
                }))));
        produced.forEach((words, thrown) -> {
            assertThat(thrown).as(words).isNotNull();
            assertThat(thrown instanceof CreationException c ? c.getErrorMessages().iterator().next().getMessage()
                    : thrown.getMessage()).contains(words);
            assertThat(page).as("configuration-errors.md lists the message with " + words).contains(words);
        });
    }

    /**
     * The LLM-failures guide quotes a negative attempt timeout's message through the annotation (a compile
     * error here: {@code BuildErrorTest} checks its words) and through the builder, which is what
     * {@code RetryPolicy.builder()} says.
     */
    @Test
    void theLlmFailuresGuideQuotesTheBuildersAttemptTimeoutMessage() throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/guides/llm-failures.md"));
        Throwable built = catchThrowable(() -> RetryPolicy.builder().attemptTimeout(Duration.ofMillis(-5)));

        assertThat(built).isInstanceOf(IllegalArgumentException.class).hasMessage("attemptTimeout = -5 ms is negative");
        assertThat(guide).contains("| negative attempt timeout | `@Retry.attemptTimeout = -5 ms is negative` (builder: `"
                + built.getMessage() + "`) |");
    }

    /** The Javadoc comment right before the declaration of {@code attribute()} in an annotation's source. */
    static String javadocOf(String source, String attribute) {
        java.util.regex.Matcher declaration = java.util.regex.Pattern
                .compile("\\s" + attribute + "\\(\\)( default [^;]*)?;").matcher(source);
        if (!declaration.find()) {
            return "";
        }
        String before = source.substring(0, declaration.start());
        int end = before.lastIndexOf("*/");
        int start = before.lastIndexOf("/**");
        boolean rightBefore = start >= 0 && end > start
                && before.substring(end + 2).matches("[\\w.<>?\\[\\]\\s,]*");   // only the attribute's type between
        return rightBefore ? before.substring(start, end) : "";
    }

    private static void expect(List<String> problems, String what, String expected, String documented) {
        if (!expected.equals(documented)) {
            problems.add(what + ": the code says " + expected + ", the page says '" + documented + "'");
        }
    }

    /** The table rows of one section, by first cell (the cells trimmed, the first cell included). */
    private static Map<String, List<String>> rows(String page, String headingPrefix, List<String> problems) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        int start = page.indexOf("\n" + headingPrefix);
        if (start < 0) {
            problems.add("no section " + headingPrefix + "...");
            return rows;
        }
        int end = page.indexOf("\n## ", start + 1);
        String section = page.substring(start, end < 0 ? page.length() : end);
        for (String line : section.split("\n")) {
            if (!line.startsWith("| `")) {
                continue;
            }
            List<String> cells = Arrays.stream(line.substring(1, line.lastIndexOf('|')).split("(?<!\\\\)\\|", -1))
                    .map(String::strip).collect(Collectors.toList());
            rows.put(cells.get(0), cells);
        }
        return rows;
    }

    private static String signature(Method m) {
        List<String> parameters = new ArrayList<>();
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            String name = types[i].getSimpleName();
            parameters.add(m.isVarArgs() && i == types.length - 1 ? name.replace("[]", "...") : name);
        }
        return m.getName() + "(" + String.join(", ", parameters) + ")";
    }

    static String annotationDefault(Object value) {
        if (value == null) {
            return "required";
        }
        if (value instanceof String s) {
            return "`\"" + s + "\"`";
        }
        if (value instanceof Object[] array) {
            return "`{" + Arrays.stream(array).map(v -> v instanceof Class<?> c ? c.getSimpleName() + ".class"
                    : String.valueOf(v)).collect(Collectors.joining(", ")) + "}`";
        }
        return "`" + value + "`";
    }

    /** The value the default-built object reports for {@code name}, when it has such an accessor of a plain type. */
    static String builtDefault(Object built, String name) {
        Object value;
        try {
            Method accessor = built.getClass().getMethod(name);
            value = accessor.invoke(built);
        } catch (ReflectiveOperationException e) {
            return null;
        }
        if (value instanceof Duration d) {
            return "`" + duration(d) + "`";
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "none" : "`" + list + "`";
        }
        if (value instanceof String s) {
            return "`\"" + s + "\"`";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return "`" + value + "`";
        }
        return null;
    }

    static String duration(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        if (d.toMillis() < 1000 || d.toMillis() % 1000 != 0) {
            return d.toMillis() + " ms";
        }
        return d.toSeconds() + " s";
    }

    /** The classes of {@code packagePath} and its sub-packages, in the jar or directory that holds {@code anchor}. */
    static List<Class<?>> classesOf(Class<?> anchor, String packagePath) throws IOException, URISyntaxException {
        Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> classes = new ArrayList<>();
        if (Files.isDirectory(location)) {
            collect(location, location.resolve(packagePath), anchor.getClassLoader(), classes);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(location)) {
                Path root = jar.getPath("/");
                collect(root, root.resolve(packagePath), anchor.getClassLoader(), classes);
            }
        }
        return classes;
    }

    private static void collect(Path root, Path dir, ClassLoader loader, List<Class<?>> classes) throws IOException {
        List<String> names;
        try (Stream<Path> files = Files.walk(dir)) {
            names = files.map(p -> root.relativize(p).toString())
                    .filter(n -> n.endsWith(".class") && !n.contains("$") && !n.endsWith("module-info.class")
                            && !n.endsWith("package-info.class"))
                    .sorted().toList();
        }
        for (String name : names) {
            try {
                classes.add(Class.forName(name.replace(".class", "").replace('/', '.'), false, loader));
            } catch (ClassNotFoundException | LinkageError e) {
                // a class whose optional dependency is absent cannot be a builder a user calls here
            }
        }
    }
}
