package dev.parley.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * Reads a PEM public key ({@code -----BEGIN PUBLIC KEY-----}, as {@code openssl pkey -pubout}
 * writes it) with the JDK alone: nimbus' own PEM parser needs BouncyCastle.
 */
final class PublicKeys {
    private PublicKeys() {
    }

    static JWK read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("Invalid Parley configuration:\n  - parley.auth.jwt.public-key: cannot read "
                                               + file + " (" + e.getMessage() + ")");
        }
    }

    static JWK parse(String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw invalid("not a PEM public key");
        }
        PublicKey key = null;
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                break;
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // try the next algorithm
            }
        }
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        if (key instanceof ECPublicKey ec) {
            return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
        }
        throw invalid("neither an RSA nor an EC public key (-----BEGIN PUBLIC KEY-----)");
    }

    private static IllegalArgumentException invalid(String why) {
        return new IllegalArgumentException("Invalid Parley configuration:\n  - parley.auth.jwt.public-key: " + why);
    }
}
