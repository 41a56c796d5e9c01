import { Element } from 'ltx'

/** Namespace declarations are XML plumbing, never addresses. */
function isNamespaceDeclaration(name: string): boolean {
  return name === 'xmlns' || name.startsWith('xmlns:')
}

/** Every attribute value anywhere in the tree (namespace declarations excepted), document order. */
export function attributeValues(root: Element): string[] {
  const values: string[] = []
  const pending: Element[] = [root]
  for (let element = pending.pop(); element !== undefined; element = pending.pop()) {
    for (const [name, value] of Object.entries(element.attrs)) {
      if (!isNamespaceDeclaration(name) && typeof value === 'string') values.push(value)
    }
    // Reversed so that popping visits children in document order.
    const children = element.getChildElements()
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!)
  }
  return values
}

/**
 * A copy of the tree in which every attribute value is passed through `replace`
 * (namespace declarations excepted). Text is copied unchanged. Recursion depth is the
 * element depth, which the stream package already bounds before parsing.
 */
export function mapAttributes(element: Element, replace: (value: string) => string): Element {
  const attrs: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(element.attrs)) {
    attrs[name] = !isNamespaceDeclaration(name) && typeof value === 'string' ? replace(value) : value
  }
  const copy = new Element(element.name, attrs)
  for (const child of element.children) {
    copy.cnode(typeof child === 'string' ? child : mapAttributes(child, replace))
  }
  return copy
}
