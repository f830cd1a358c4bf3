package portforward

// The protocol and the headers of its upgrade request and of its streams,
// spelled as Kubernetes spells them.
const (
	// ProtocolV1Name is the only port-forward protocol version.
	ProtocolV1Name = "portforward.k8s.io"
	// WebsocketsSPDYTunnelingPrefix prefixes the protocol in the WebSocket
	// subprotocol of a SPDY-over-WebSocket tunnel: "SPDY/3.1+portforward.k8s.io".
	WebsocketsSPDYTunnelingPrefix = "SPDY/3.1+"
	// TunnelingProtocol is the WebSocket subprotocol kubectl 1.31+ offers.
	TunnelingProtocol = WebsocketsSPDYTunnelingPrefix + ProtocolV1Name

	// HeaderUpgrade's value for a SPDY upgrade.
	HeaderSpdy31 = "SPDY/3.1"
	// HeaderProtocolVersion lists the client's protocols (one per value) and
	// carries the server's choice in the 101 answer.
	HeaderProtocolVersion = "X-Stream-Protocol-Version"
	// HeaderAcceptedProtocolVersions lists the server's protocols when none
	// of the client's is served.
	HeaderAcceptedProtocolVersions = "X-Accepted-Stream-Protocol-Versions"

	// StreamTypeHeader is a stream's role: StreamTypeData or StreamTypeError.
	StreamTypeHeader = "streamType"
	// PortHeader is the pod's port a stream is forwarded to.
	PortHeader = "port"
	// RequestIDHeader pairs the data and error streams of one connection.
	RequestIDHeader = "requestID"

	StreamTypeData  = "data"
	StreamTypeError = "error"
)
