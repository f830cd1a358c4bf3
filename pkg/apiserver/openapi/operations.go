package openapi

import (
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

// v3Document is the OpenAPI 3.0 document of one group/version.
func v3Document(t *registry.Table, gv meta.GroupVersion) map[string]any {
	b := newBuilder(v3RefPrefix)
	statusRef := b.ref(typeOfStatus)
	paths := map[string]any{}
	for _, e := range endpoints(b, t, gv) {
		item := map[string]any{"parameters": pathParams(e, true)}
		for _, a := range e.actions {
			item[httpMethod(a)] = v3Operation(b, a, e, statusRef)
		}
		paths[e.path] = item
	}
	return map[string]any{
		"openapi":    "3.0.0",
		"info":       map[string]any{"title": "Kubernetes", "version": Version},
		"paths":      paths,
		"components": map[string]any{"schemas": b.defs},
	}
}

func httpMethod(action string) string {
	switch action {
	case "list":
		return "get"
	case "deletecollection":
		return "delete"
	}
	return action
}

func pathParams(e endpoint, v3 bool) []any {
	var out []any
	add := func(name string) {
		p := map[string]any{"name": name, "in": "path", "required": true, "description": name + " of the object"}
		if v3 {
			p["schema"] = Schema{"type": "string"}
		} else {
			p["type"] = "string"
		}
		out = append(out, p)
	}
	if e.named {
		add("name")
	}
	if e.namespaced {
		add("namespace")
	}
	return out
}

func queryParamList(action string, v3 bool) []any {
	var out []any
	for _, q := range queryParams(action) {
		p := map[string]any{"name": q, "in": "query", "uniqueItems": true}
		typ := "string"
		switch q {
		case "limit", "timeoutSeconds", "gracePeriodSeconds":
			typ = "integer"
		case "watch", "allowWatchBookmarks", "sendInitialEvents", "force", "orphanDependents":
			typ = "boolean"
		}
		if v3 {
			p["schema"] = Schema{"type": typ}
		} else {
			p["type"] = typ
		}
		out = append(out, p)
	}
	return out
}

// responseDef is what an action answers with.
func responseDef(action string, e endpoint) string {
	if action == "list" && e.listDef != "" {
		return e.listDef
	}
	return e.def
}

func v3Operation(b *builder, action string, e endpoint, statusRef Schema) map[string]any {
	ok := map[string]any{"description": "OK", "content": map[string]any{
		"application/json": map[string]any{"schema": Schema{"$ref": b.refPrefix + responseDef(action, e)}}}}
	if action == "delete" || action == "deletecollection" {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": statusRef}}
	}
	op := map[string]any{
		"operationId":                     operationID(action, e),
		"parameters":                      queryParamList(action, true),
		"responses":                       map[string]any{"200": ok, "401": map[string]any{"description": "Unauthorized"}},
		"x-kubernetes-action":             action,
		"x-kubernetes-group-version-kind": gvkExt(e.group, e.version, e.kind),
	}
	switch action {
	case "post", "put":
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": Schema{"$ref": b.refPrefix + e.def}}}}
	case "patch":
		content := map[string]any{}
		for _, pt := range e.patchTypes {
			content[pt] = map[string]any{"schema": Schema{"type": "object"}}
		}
		op["requestBody"] = map[string]any{"required": true, "content": content}
	}
	return op
}

// v2Document is the Swagger 2.0 document of every group/version.
func v2Document(t *registry.Table) map[string]any {
	b := newBuilder(v2RefPrefix)
	statusRef := b.ref(typeOfStatus)
	paths := map[string]any{}
	for _, gv := range t.GroupVersions() {
		for _, e := range endpoints(b, t, gv) {
			item := map[string]any{"parameters": pathParams(e, false)}
			for _, a := range e.actions {
				item[httpMethod(a)] = v2Operation(b, a, e, statusRef)
			}
			paths[e.path] = item
		}
	}
	return map[string]any{
		"swagger":     "2.0",
		"info":        map[string]any{"title": "Kubernetes", "version": Version},
		"paths":       paths,
		"definitions": b.defs,
	}
}

func v2Operation(b *builder, action string, e endpoint, statusRef Schema) map[string]any {
	schema := Schema{"$ref": b.refPrefix + responseDef(action, e)}
	if action == "delete" || action == "deletecollection" {
		schema = statusRef
	}
	params := queryParamList(action, false)
	consumes := []string{"*/*"}
	switch action {
	case "post", "put":
		params = append(params, map[string]any{"name": "body", "in": "body", "required": true,
			"schema": Schema{"$ref": b.refPrefix + e.def}})
	case "patch":
		params = append(params, map[string]any{"name": "body", "in": "body", "required": true,
			"schema": Schema{"type": "object"}})
		consumes = e.patchTypes
	}
	return map[string]any{
		"operationId":                     operationID(action, e),
		"consumes":                        consumes,
		"produces":                        []string{"application/json"},
		"parameters":                      params,
		"responses":                       map[string]any{"200": map[string]any{"description": "OK", "schema": schema}},
		"x-kubernetes-action":             action,
		"x-kubernetes-group-version-kind": gvkExt(e.group, e.version, e.kind),
	}
}
