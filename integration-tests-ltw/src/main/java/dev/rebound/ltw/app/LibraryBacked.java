package dev.rebound.ltw.app;

import dev.rebound.ltw.lib.LibraryModel;

/** An application class implementing the annotated Chat with the body it inherits from a library's abstract class. */
public class LibraryBacked extends LibraryModel implements Chat {
    @Override
    protected String name() {
        return "library";
    }
}
