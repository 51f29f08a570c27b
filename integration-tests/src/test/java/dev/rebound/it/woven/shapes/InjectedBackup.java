package dev.rebound.it.woven.shapes;

import jakarta.inject.Inject;
import jakarta.inject.Named;

/** An alternative with no no-arg constructor: only an injector can make it. */
public class InjectedBackup implements Answers {
    private final String name;

    @Inject
    public InjectedBackup(@Named("backup") String name) {
        this.name = name;
    }

    @Override
    public String answer(String question) {
        return name + ": " + question;
    }
}
