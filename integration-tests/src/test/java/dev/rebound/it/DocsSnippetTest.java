package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every fenced block of README.md and docs/**&#47;*.md is a copy of code the build compiles and tests.
 *
 * <p>The convention (docs/testing.md, "Docs snippets"): {@code <!-- snippet:NAME -->} on the line before a
 * fenced block; the block equals the lines between the one containing {@code docs:NAME} and the one
 * containing {@code /docs:NAME} in exactly one file of the repository (de-indented; lines between
 * {@code docs-omit} and {@code /docs-omit} left out; {@code ${property}} replaced by the root pom's
 * property, {@code ${rebound.version}} by the project's version). Shell blocks ({@code bash}, {@code sh},
 * {@code shell}, {@code console}) need no marker; any other block without one fails. Relative links must
 * name files that exist.
 */
class DocsSnippetTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize()
            .getParent();
    private static final Set<String> SHELL = Set.of("bash", "sh", "shell", "console");
    private static final Set<String> SOURCE_EXTENSIONS =
            Set.of("java", "aj", "xml", "txt", "properties", "json", "yaml", "yml", "kt", "conf");
    private static final Set<String> SKIPPED_DIRECTORIES = Set.of(".git", "target", "node_modules", ".idea");
    private static final Pattern SNIPPET = Pattern.compile("<!--\\s*snippet:([\\w.-]+)\\s*-->");
    private static final Pattern FENCE = Pattern.compile("^(\\s*)(```+|~~~+)\\s*([\\w+-]*).*$");
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    /** One fenced block of a page. */
    record Block(Path page, int line, String language, String snippet, String text) {
        String where() {
            return ROOT.relativize(page) + ":" + line;
        }
    }

    @Test
    void everyNonShellBlockIsMarkedAndEqualsItsSourceRegion() throws IOException {
        Map<String, List<Region>> regions = regions();
        Map<String, String> properties = buildProperties();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path page : pages()) {
            for (Block block : blocks(page)) {
                if (block.snippet() == null) {
                    if (!SHELL.contains(block.language())) {
                        problems.add(block.where() + ": a ```" + block.language()
                                + " block without <!-- snippet:NAME --> on the line before it");
                    }
                    continue;
                }
                List<Region> found = regions.getOrDefault(block.snippet(), List.of());
                if (found.size() != 1) {
                    problems.add(block.where() + ": snippet:" + block.snippet() + " needs exactly one source region"
                            + " marked docs:" + block.snippet() + ", found " + found);
                    continue;
                }
                String expected = substitute(found.get(0).text(), properties);
                if (!expected.equals(block.text())) {
                    problems.add(block.where() + ": snippet:" + block.snippet() + " differs from "
                            + found.get(0) + "\n--- docs ---\n" + block.text() + "\n--- source ---\n" + expected);
                }
                checked++;
            }
        }
        assertThat(problems).as("docs snippets").isEmpty();
        assertThat(checked).as("marked snippets checked").isGreaterThan(10);
    }

    @Test
    void relativeLinksNameFilesThatExist() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path page : pages()) {
            List<String> lines = Files.readAllLines(page);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = LINK.matcher(lines.get(i));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("^[a-z]+:.*") || target.startsWith("#")) {
                        continue;
                    }
                    String file = target.replaceAll("#.*$", "");
                    if (!Files.exists(page.getParent().resolve(file))) {
                        problems.add(ROOT.relativize(page) + ":" + (i + 1) + ": " + target);
                    }
                }
            }
        }
        assertThat(problems).as("links to missing files").isEmpty();
    }

    @Test
    void theQuickstartUsesThisVersionOfReboundAndTheVersionsTheBuildTests() throws IOException {
        String pom = Files.readString(ROOT.resolve("examples/quickstart/pom.xml"));
        String root = Files.readString(ROOT.resolve("pom.xml"));
        Map<String, String> properties = buildProperties();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("rebound-runtime", properties.get("project.version"));
        expected.put("slf4j-simple", properties.get("slf4j.version"));
        expected.put("junit-jupiter", properties.get("junit.version"));
        for (String plugin : List.of("maven-compiler-plugin", "maven-surefire-plugin")) {
            Matcher m = Pattern.compile("<artifactId>" + plugin + "</artifactId>\\s*<version>([^<]+)</version>")
                    .matcher(root);
            assertThat(m.find()).as(plugin + " in the root pom").isTrue();
            expected.put(plugin, m.group(1));
        }
        expected.forEach((artifact, version) -> assertThat(pom).as(artifact)
                .containsPattern("<artifactId>" + Pattern.quote(artifact) + "</artifactId>\\s*<version>"
                        + Pattern.quote(version) + "</version>"));
    }

    /** Every line of the quickstart's pom and main sources, and of its policy test, is in a README snippet. */
    @Test
    void theQuickstartIsExactlyTheGettingStartedText() throws IOException {
        Path quickstart = ROOT.resolve("examples/quickstart");
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<Path> files = new ArrayList<>(List.of(quickstart.resolve("pom.xml"),
                quickstart.resolve("src/test/java/com/example/quickstart/ChatClientTest.java")));
        try (Stream<Path> main = Files.walk(quickstart.resolve("src/main"))) {
            main.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        Pattern open = Pattern.compile("(?<![/\\w])docs:([\\w.-]+)");
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            String name = null;
            for (String line : lines) {
                Matcher m = open.matcher(line);
                if (name == null && m.find()) {
                    name = m.group(1);
                    assertThat(readme).as(file + " is shown in the README").contains("<!-- snippet:" + name + " -->");
                } else if (name != null && line.contains("/docs:" + name)) {
                    name = null;
                } else if (name == null) {
                    assertThat(line).as(quickstart.relativize(file) + ": a line outside any README snippet")
                            .matches("\\s*|<\\?xml .*\\?>");
                }
            }
        }
    }

    /**
     * A shell block is a command the reader runs: every module it builds ({@code -pl}), test class it
     * names ({@code -Dtest}, in those modules), demo fault script ({@code --faults=}, {@code REBOUND_FAULTS=})
     * and benchmark class ({@code benchmarks.jar} patterns) exists.
     */
    @Test
    void everyShellBlockNamesModulesTestsScriptsAndBenchmarksThatExist() throws IOException {
        Pattern modules = Pattern.compile("(?:^|\\s)-pl\\s+([\\w.,:-]+)");
        Pattern tests = Pattern.compile("-Dtest=(?:'([^']+)'|\"([^\"]+)\"|(\\S+))");
        Pattern scripts = Pattern.compile("(?:--faults=|REBOUND_FAULTS=)([\\w-]+)");
        Pattern benchmarks = Pattern.compile("benchmarks\\.jar\\s+'([^']+)'|benchmarks\\.jar\\s+([A-Z]\\w+)");
        String faultScripts = Files.readString(ROOT.resolve("demo/src/main/java/dev/rebound/demo/FaultScript.java"));
        List<String> problems = new ArrayList<>();
        int commands = 0;
        for (Path page : pages()) {
            for (Block block : blocks(page)) {
                if (!SHELL.contains(block.language())) {
                    continue;
                }
                for (String line : block.text().split("\n")) {
                    List<Path> built = new ArrayList<>();
                    Matcher m = modules.matcher(line);
                    while (m.find()) {
                        for (String module : m.group(1).split(",")) {
                            Path dir = ROOT.resolve(module.replaceFirst("^:", ""));
                            built.add(dir);
                            commands++;
                            if (!Files.isRegularFile(dir.resolve("pom.xml"))) {
                                problems.add(block.where() + ": no module " + module);
                            }
                        }
                    }
                    m = tests.matcher(line);
                    while (m.find()) {
                        String names = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
                        for (String name : names.split(",")) {
                            String file = name.replaceFirst("#.*$", "") + ".java";
                            commands++;
                            if (!testClassIn(built.isEmpty() ? List.of(ROOT) : built, file)) {
                                problems.add(block.where() + ": no test class " + name + " in " + built);
                            }
                        }
                    }
                    m = scripts.matcher(line);
                    while (m.find()) {
                        commands++;
                        if (!faultScripts.matches("(?s).*\\n    " + m.group(1).toUpperCase(java.util.Locale.ROOT)
                                .replace('-', '_') + "\\(.*")) {
                            problems.add(block.where() + ": the demo has no fault script " + m.group(1));
                        }
                    }
                    m = benchmarks.matcher(line);
                    while (m.find()) {
                        Matcher name = Pattern.compile("(?<!\\w)[A-Z]\\w+").matcher(m.group(1) != null ? m.group(1) : m.group(2));
                        while (name.find()) {
                            commands++;
                            if (!testClassIn(List.of(ROOT.resolve("benchmarks/src/main/java")), name.group() + ".java")) {
                                problems.add(block.where() + ": no benchmark class " + name.group());
                            }
                        }
                    }
                }
            }
        }
        assertThat(problems).as("shell blocks").isEmpty();
        assertThat(commands).as("names checked").isGreaterThan(20);
    }

    private static boolean testClassIn(List<Path> roots, String file) throws IOException {
        for (Path root : roots) {
            try (Stream<Path> found = Files.walk(root)) {
                if (found.anyMatch(p -> p.getFileName().toString().equals(file) && !p.toString().contains("/target/"))) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void theReadmeIsShortAndStartsWithTheTwoCommands() throws IOException {
        Path readme = ROOT.resolve("README.md");
        assertThat(Files.size(readme)).as("README.md bytes").isLessThanOrEqualTo(12 * 1024);
        List<String> first40 = Files.readAllLines(readme).stream().limit(40).toList();
        assertThat(first40).anyMatch(l -> l.startsWith("mvn -B verify"));
        assertThat(first40).anyMatch(l -> l.startsWith("mvn -B -q -pl demo -am package exec:java"));
    }

    @Test
    void theTestedVersionsTableIsTheBuilds() throws IOException {
        Map<String, String> property = Map.of("Java", "maven.compiler.release", "langchain4j", "langchain4j.version",
                "Guice", "guice.version", "AspectJ", "aspectj.version",
                "aspectj-maven-plugin", "aspectj-maven-plugin.version", "Micrometer", "micrometer.version",
                "SLF4J", "slf4j.version", "Bucket4j (rate limits)", "bucket4j.version",
                "Lettuce (the Redis rate-limit store)", "lettuce.version");
        String readme = Files.readString(ROOT.resolve("README.md"));
        String table = readme.substring(readme.indexOf("<!-- tested-versions -->"),
                readme.indexOf("<!-- /tested-versions -->"));
        Map<String, String> properties = buildProperties();
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : table.split("\n")) {
            String[] cells = line.split("\\|");
            if (cells.length == 3 && !cells[1].isBlank() && !cells[1].startsWith("---")) {
                rows.put(cells[1].strip(), cells[2].strip());
            }
        }
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(property.keySet());
        rows.forEach((name, version) ->
                assertThat(version).as(name).isEqualTo(properties.get(property.get(name))));
    }

    /**
     * Every version a page writes of an artifact the build uses, in a block or in prose, is the one the root
     * pom gives it, so that a version bump cannot leave a page stale: {@code <artifactId>A</artifactId>
     * <version>V</version>}, {@code A-V.jar}, {@code group:A:V}, {@code A V} ("langchain4j 1.19", "ajc
     * 1.9.24": a shorter version is a prefix of the build's; "5.13 or later" is a floor, not checked), and any
     * {@code X.Y.Z-SNAPSHOT} (Rebound's version: the build uses no other snapshot). A is an artifact of the
     * root pom, a family of its BOMs ({@code langchain4j-bom}: {@code langchain4j-open-ai}) or a name for one
     * ({@link #VERSION_ALIASES}). The reports are left out: each records the versions of its own run.
     */
    @Test
    void everyVersionOfAnArtifactTheBuildUsesIsTheBuilds() throws IOException {
        Map<String, String> versions = buildVersions();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path page : pages()) {
            if (page.startsWith(ROOT.resolve("docs/reports"))) {
                continue;
            }
            String text = Files.readString(page);
            for (Pattern mention : VERSION_MENTIONS) {
                Matcher m = mention.matcher(text);
                while (m.find()) {
                    String artifact = m.group("name");
                    String expected = versionOf(artifact, versions);
                    if (expected == null || FLOOR.matcher(text).region(m.end(), text.length()).lookingAt()) {
                        continue; // not an artifact of this build (Java 17, Maven 3.8), or a floor: "5.13 or later"
                    }
                    checked++;
                    String written = m.group("version");
                    if (!expected.equals(written) && !expected.startsWith(written + ".")) {
                        int line = text.substring(0, m.start()).split("\n", -1).length;
                        problems.add(ROOT.relativize(page) + ":" + line + ": " + artifact + " " + written
                                + ", but the build uses " + expected);
                    }
                }
            }
        }
        assertThat(problems).as("versions written in the docs").isEmpty();
        assertThat(checked).as("versions checked").isGreaterThan(15);
    }

    /** A version as pages write it: 1.9.24, 1.19, 0.1.0-SNAPSHOT, 6.8.1.RELEASE. */
    private static final String VERSION = "(?<version>\\d+(?:\\.\\d+)+(?:-SNAPSHOT|\\.RELEASE)?)";
    /** Where a version written in prose ends: not inside a longer word or number. */
    private static final String END = "(?![\\w-]|\\.\\d)";

    /** What makes a version a floor rather than the build's: "5.13 or later". */
    private static final Pattern FLOOR = Pattern.compile("\\s+or\\s+(?:later|newer|above)");

    /** How a page writes an artifact's version: each pattern names the artifact and the version. */
    private static final List<Pattern> VERSION_MENTIONS = List.of(
            Pattern.compile("<artifactId>(?<name>[\\w.-]+)</artifactId>\\s*<version>" + VERSION + "</version>"),
            Pattern.compile("(?<![\\w.-])(?<name>[a-zA-Z][\\w.]*(?:-[a-zA-Z]\\w*)*)-" + VERSION + "\\.jar"),
            Pattern.compile("[\\w.]+:(?<name>[\\w-]+):" + VERSION + END),
            Pattern.compile("(?<![\\w.-])(?<name>[a-zA-Z][\\w-]*)`?\\s+v?" + VERSION + END),
            // a bare X.Y.Z-SNAPSHOT, named "": Rebound's
            Pattern.compile("(?<![\\w.])(?<name>)(?<version>\\d+\\.\\d+\\.\\d+-SNAPSHOT)"));

    /** Names pages give artifacts ("AspectJ 1.9.24"), and "" for a bare snapshot version: Rebound's. */
    private static final Map<String, String> VERSION_ALIASES = Map.of("aspectj", "aspectjweaver", "ajc",
            "aspectjweaver", "rebound", "rebound-parent", "", "rebound-parent", "slf4j", "slf4j-api", "micrometer",
            "micrometer-core", "bucket4j", "bucket4j_jdk17-core", "lettuce", "lettuce-core");

    /** The version of {@code artifact} in this build, or null: not one of its artifacts. */
    private static String versionOf(String artifact, Map<String, String> versions) {
        String name = artifact.toLowerCase(java.util.Locale.ROOT);
        name = VERSION_ALIASES.getOrDefault(name, name);
        if (versions.containsKey(name)) {
            return versions.get(name);
        }
        for (Map.Entry<String, String> v : versions.entrySet()) { // a BOM's family: langchain4j-bom's langchain4j-*
            String family = v.getKey().endsWith("-bom") ? v.getKey().substring(0, v.getKey().length() - 4) : null;
            if (family != null && (name.equals(family) || name.startsWith(family + "-"))) {
                return v.getValue();
            }
        }
        return null;
    }

    /** Each artifact the root pom names with a version (a dependency, a plugin, a BOM), and that version. */
    static Map<String, String> buildVersions() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Map<String, String> properties = buildProperties();
        Map<String, String> versions = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<artifactId>([\\w.-]+)</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        while (m.find()) {
            versions.put(m.group(1), substitute(m.group(2), properties));
        }
        assertThat(versions).as("the root pom's versions").containsKeys("rebound-parent", "aspectjweaver",
                "aspectj-maven-plugin", "guice", "langchain4j-bom");
        return versions;
    }

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    static List<Block> blocks(Path page) throws IOException {
        List<String> lines = Files.readAllLines(page);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int indent = open.group(1).length();
            String fence = open.group(2);
            String snippet = null;
            if (i > 0) {
                Matcher marker = SNIPPET.matcher(lines.get(i - 1));
                snippet = marker.find() ? marker.group(1) : null;
            }
            List<String> body = new ArrayList<>();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).strip().equals(fence)) {
                String line = lines.get(j);
                body.add(line.length() >= indent && line.substring(0, indent).isBlank()
                        ? line.substring(indent) : line.strip());
                j++;
            }
            blocks.add(new Block(page, i + 1, open.group(3).toLowerCase(), snippet, String.join("\n", body)));
            i = j;
        }
        return blocks;
    }

    /** A marked region of a source file. */
    record Region(Path file, String text) {
        @Override
        public String toString() {
            return ROOT.relativize(file).toString();
        }
    }

    static Map<String, List<Region>> regions() throws IOException {
        Map<String, List<Region>> regions = new HashMap<>();
        Pattern open = Pattern.compile("(?<![/\\w])docs:([\\w.-]+)");
        List<Path> files = new ArrayList<>();
        collect(ROOT, files);
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = open.matcher(lines.get(i));
                if (!m.find() || lines.get(i).contains("docs-omit")) {
                    continue;
                }
                String name = m.group(1);
                Pattern close = Pattern.compile("/docs:" + Pattern.quote(name) + "(?![\\w.-])");
                List<String> body = new ArrayList<>();
                boolean omitting = false;
                int j = i + 1;
                for (; j < lines.size() && !close.matcher(lines.get(j)).find(); j++) {
                    String line = lines.get(j);
                    if (line.contains("/docs-omit")) {
                        omitting = false;
                    } else if (line.contains("docs-omit")) {
                        omitting = true;
                    } else if (!omitting) {
                        body.add(line);
                    }
                }
                if (j < lines.size()) {
                    regions.computeIfAbsent(name, k -> new ArrayList<>()).add(new Region(file, deindent(body)));
                }
            }
        }
        return regions;
    }

    private static void collect(Path dir, List<Path> files) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.sorted().toList()) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p)) {
                    if (!SKIPPED_DIRECTORIES.contains(name)) {
                        collect(p, files);
                    }
                } else if (name.contains(".") && SOURCE_EXTENSIONS.contains(name.substring(name.lastIndexOf('.') + 1))) {
                    files.add(p);
                }
            }
        }
    }

    static String deindent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return String.join("\n", lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
    }

    /** The root pom's properties, and the project's version as {@code project.version} and {@code rebound.version}. */
    static Map<String, String> buildProperties() {
        try {
            String pom = Files.readString(ROOT.resolve("pom.xml"));
            Map<String, String> properties = new LinkedHashMap<>();
            Matcher version = Pattern.compile("<artifactId>rebound-parent</artifactId>\\s*<version>([^<]+)</version>")
                    .matcher(pom);
            assertThat(version.find()).as("the root pom's version").isTrue();
            properties.put("project.version", version.group(1));
            properties.put("rebound.version", version.group(1));
            String block = pom.substring(pom.indexOf("<properties>"), pom.indexOf("</properties>"));
            Matcher p = Pattern.compile("<([\\w.-]+)>([^<]*)</\\1>").matcher(block);
            while (p.find()) {
                properties.put(p.group(1), p.group(2));
            }
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String substitute(String text, Map<String, String> properties) {
        Matcher m = PROPERTY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = properties.get(m.group(1));
            if (value == null) {
                value = m.group(); // not a root pom property (e.g. maven-dependency-plugin's): stays as written
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }
}
