package dev.rebound.ltw.lib;

import dev.rebound.it.llm.FakeLlm;

/**
 * An abstract class without policy, outside the narrowed scope (src/test/narrow/META-INF/aop.xml), as a
 * library's base class: it provides the body of Chat.chat that {@link dev.rebound.ltw.app.LibraryBacked}
 * inherits; woven only by default.
 */
public abstract class LibraryModel {

    public String chat(String prompt) {
        return FakeLlm.complete(name(), prompt);
    }

    protected abstract String name();
}
