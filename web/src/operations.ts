import { graphql } from "./gql";

// The operations of the app: GraphQL Code Generator types them from ../schema.graphql and lists them in
// src/gql/persisted-documents.json (the gateway's trusted-documents manifest).

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      id
      person { id name { full } birthDate }
      representations { basis person { id name { full } birthDate } }
    }
  }
`);

export const InboxQuery = graphql(`
  query Inbox($person: ID!, $after: String) {
    person(id: $person) {
      id
      threads(first: 20, after: $after) {
        totalCount
        hiddenCount
        pageInfo { hasNextPage endCursor }
        nodes { id subject category unreadCount lastMessageAt counterpart { id name } }
      }
    }
  }
`);

export const ThreadQuery = graphql(`
  query Thread($person: ID!, $thread: ID!) {
    person(id: $person) {
      id
      thread(id: $thread) {
        id
        subject
        unreadCount
        counterpart { id name }
        messages(first: 50) {
          hiddenCount
          nodes { id body sentAt direction attachments { id name } hiddenAttachmentCount }
        }
      }
    }
  }
`);

export const MarkThreadRead = graphql(`
  mutation MarkThreadRead($input: ThreadInput!) {
    markThreadRead(input: $input) { thread { id unreadCount } }
  }
`);

export const ReplyToThread = graphql(`
  mutation ReplyToThread($input: ReplyToThreadInput!) {
    replyToThread(input: $input) {
      message { id body }
      userErrors { code field message }
    }
  }
`);

export const AppointmentsQuery = graphql(`
  query Appointments($person: ID!) {
    person(id: $person) {
      id
      appointments(first: 20) {
        hiddenCount
        nodes { id start title status serviceKind location { name } practitioner { id name } }
      }
    }
  }
`);

export const ContactsQuery = graphql(`
  query Contacts($person: ID!) {
    person(id: $person) {
      id
      healthContacts { id name role serviceKind organization offersDigitalDialogue }
    }
  }
`);
