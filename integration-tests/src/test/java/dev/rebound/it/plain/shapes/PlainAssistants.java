package dev.rebound.it.plain.shapes;

import dev.rebound.it.woven.shapes.InheritedShapes.Assistant;
import dev.rebound.it.woven.shapes.InheritedShapes.Body;
import dev.rebound.it.woven.shapes.InheritedShapes.Editor;
import dev.rebound.it.woven.shapes.InheritedShapes.Writer;

/**
 * Implementations, compiled by javac alone, of interfaces whose default methods ajc wove
 * ({@code woven.shapes.InheritedShapes.Assistant}, {@code .Writer}): as an application's module built
 * without the weaver over an API module built with it.
 */
public final class PlainAssistants {

    private PlainAssistants() {
    }

    /** Implements chat (never woven); inherits the woven summarize. */
    public static class PlainAssistant implements Assistant {
        public final Body body = new Body();
        public final IllegalStateException chatDown = new IllegalStateException("chat down");
        public int chats;

        @Override
        public Body body() {
            return body;
        }

        @Override
        public String chat(String prompt) {
            chats++;
            throw chatDown;
        }
    }

    /** The same, for a test through Rebound.wrap (what a class's first direct call says is said once per class). */
    public static class WrappedAssistant extends PlainAssistant {
    }

    /** The same, for a test through Guice. */
    public static class GuicedAssistant extends PlainAssistant {
    }

    /** Overrides summarize (never woven), calling the woven default through {@code Assistant.super}. */
    public static class SuperCallingAssistant implements Assistant {
        public final Body body = new Body();

        @Override
        public Body body() {
            return body;
        }

        @Override
        public String chat(String prompt) {
            throw new IllegalStateException("chat down");
        }

        @Override
        public String summarize(String text) {
            return Assistant.super.summarize(text);
        }
    }

    /** The same, for the tests through a proxy of it (what a class's first direct call says is said once per class). */
    public static class ProxiedAssistant extends PlainAssistant {
    }

    /** The same, for the test of a Spring proxy whose fixed target is swapped (two instances of it). */
    public static class SwappedAssistant extends PlainAssistant {
    }

    /** The same as {@link SuperCallingAssistant}, for the tests through a proxy of it. */
    public static class ProxiedSuperCallingAssistant extends SuperCallingAssistant {
    }

    /** The same, for the test through a decorator of it (the nested retries it makes are said once per class). */
    public static class DecoratedAssistant extends PlainAssistant {
    }

    /** Hands every call to another assistant, as an application's decorator does (never woven). */
    public static class DelegatingAssistant implements Assistant {
        private final Assistant inner;

        public DelegatingAssistant(Assistant inner) {
            this.inner = inner;
        }

        @Override
        public Body body() {
            return inner.body();
        }

        @Override
        public String chat(String prompt) {
            return inner.chat(prompt);
        }

        @Override
        public String summarize(String text) {
            return inner.summarize(text);
        }
    }

    /** Inherits the woven summarize: another assistant that {@link ConsultingAssistant} consults. */
    public static class ConsultedAssistant extends PlainAssistant {
    }

    /**
     * Overrides summarize (never woven): first consults another assistant, a dependency of its own (not an object it
     * hands the call to), then runs the woven default with {@code Assistant.super}; counts the consultations that
     * failed.
     */
    public static class ConsultingAssistant extends SuperCallingAssistant {
        public int consultations;
        private final Assistant consulted;

        public ConsultingAssistant(Assistant consulted) {
            this.consulted = consulted;
        }

        @Override
        public String summarize(String text) {
            try {
                consulted.summarize(text);
            } catch (IllegalStateException down) {
                consultations++;
            }
            return super.summarize(text);
        }
    }

    /** The same, for the test of what is said of it (once per class). */
    public static class SaidConsultingAssistant extends ConsultingAssistant {
        public SaidConsultingAssistant(Assistant consulted) {
            super(consulted);
        }
    }

    /**
     * Overrides the woven default {@code draft} (never woven, no {@code Writer.super}) and calls the other
     * woven default, {@code polish}, on itself: polish's own advice applies its policy.
     */
    public static class OverridingWriter implements Writer {
        public final Body body = new Body();
        public int drafts;

        @Override
        public Body polishBody() {
            return body;
        }

        @Override
        public String draft(String text) {
            drafts++;
            return polish(text);
        }
    }

    /** The same, for a test through Rebound.wrap (what a class's first direct call says is said once per class). */
    public static class WrappedWriter extends OverridingWriter {
    }

    /** The same, for a test through Guice. */
    public static class GuicedWriter extends OverridingWriter {
    }

    /** What an {@link Editor}'s own {@code edit} does (a class's or a lambda's): counts, fails with {@link #down}. */
    public static final class Edits {
        public final IllegalStateException down = new IllegalStateException("edit down");
        public int count;

        public String edit(String text) {
            count++;
            throw down;
        }
    }

    /** Implements {@link Editor#edit} (never woven), inheriting the woven defaults {@code draft} and {@code polish}. */
    public static class PlainEditor implements Editor {
        public final Edits edits = new Edits();

        @Override
        public String edit(String text) {
            return edits.edit(text);
        }
    }

    /** The same, for a test through Rebound.wrap (what a class's first direct call says is said once per class). */
    public static class WrappedEditor extends PlainEditor {
    }

    /** The same, for a test through Guice's {@code ReboundModule.wrapping}. */
    public static class GuicedEditor extends PlainEditor {
    }
}
