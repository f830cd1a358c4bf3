// Package portforward is Kubernetes' port-forward protocol (portforward.k8s.io),
// shared by the kubelet that serves it, the apiserver that relays it and the
// clients (ctl port-forward): the stream headers, kubectl's port and address
// specs, the SPDY/3.1 upgrade and the WebSocket tunnel kubectl 1.31+ opens
// first, carrying the same SPDY frames as binary messages.
//
// One upgraded connection carries any number of forwarded TCP connections.
// For each, the client opens two SPDY streams with the same requestID and
// port headers: an error stream (streamType=error) on which the server writes
// a message if forwarding fails, and a data stream (streamType=data) carrying
// the connection's bytes both ways.
package portforward
