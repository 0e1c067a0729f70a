package dev.tresor.kms.pkcs11;

import java.nio.file.Path;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Token;

/** A real server and the library initialised against it through the IAIK wrapper. */
record TresorWithLibrary(TresorDevServer server, PKCS11Module module) implements AutoCloseable {
    static TresorWithLibrary start(Path directory, long callsPerHour) throws Exception {
        TresorDevServer server = TresorDevServer.start(directory, callsPerHour);
        PKCS11Module module = PKCS11Module.getInstance(LibraryUnderTest.library().toString());
        module.initialize();
        return new TresorWithLibrary(server, module);
    }

    Token token() throws PKCS11Exception {
        return module.getSlotList(true)[0].getToken();
    }

    @Override
    public void close() throws PKCS11Exception {
        try {
            module.finalize(null);
        } finally {
            server.close();
        }
    }
}
