package front

// Listening: the address a flag names, loopback unless it names another,
// and a server that serves until it is closed. It is not tied to one lab:
// a presenter's lab is rebuilt when a talk steps back, and the handler it
// serves may follow (see cmd/scalelab's front door).

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// ParseAddr checks a listen address given on the command line and returns
// the one to listen on: HOST:PORT with an IP address or "localhost" for
// HOST and a port 0..65535 (0 picks a free one). An empty HOST (":8080")
// means loopback, 127.0.0.1: to listen on every interface, say so with
// 0.0.0.0:8080 or [::]:8080.
func ParseAddr(s string) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("%q is not HOST:PORT, like 127.0.0.1:8080 or :8080 (loopback)", s)
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || port == "" {
		return "", fmt.Errorf("%q: port %q is not a number 0..65535", s, port)
	} else {
		port = strconv.FormatUint(p, 10)
	}
	switch {
	case host == "":
		host = "127.0.0.1"
	case host == "localhost":
	case net.ParseIP(host) == nil:
		return "", fmt.Errorf("%q: host %q is not an IP address or localhost", s, host)
	}
	return net.JoinHostPort(host, port), nil
}

// Server is an HTTP listener: it serves until Close.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{} // closed when Serve has returned
	err  error         // Serve's error, other than a normal close
}

// Listen opens addr (see ParseAddr) and serves h on it until Close.
func Listen(addr string, h http.Handler) (*Server, error) {
	addr, err := ParseAddr(addr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       time.Minute,
			MaxHeaderBytes:    16 << 10,
		},
		ln:   ln,
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s, nil
}

// Addr is the address it listens on (with the port picked, for port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is http://Addr.
func (s *Server) URL() string { return "http://" + s.Addr() }

// Close stops listening and waits up to two seconds for the requests in
// flight to be answered (a stopped lab answers them at once), then closes
// what is left. It returns why serving failed, if it did.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
	}
	<-s.done
	return s.err
}
