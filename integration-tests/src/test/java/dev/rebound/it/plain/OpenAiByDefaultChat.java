package dev.rebound.it.plain;

import com.google.inject.Inject;

/** The openai client by default; a @Provides method may configure another provider on it. */
public class OpenAiByDefaultChat extends SettableChat {
    @Inject
    public OpenAiByDefaultChat() {
        provider = "openai";
    }
}
